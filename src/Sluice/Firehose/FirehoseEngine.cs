namespace Sluice.Firehose;

/// <summary>
/// Which engine serves established firehose clients: .NET <c>Socket</c> async loops (the
/// default), or the epoll loops (Linux, SLUICE_FIREHOSE_ENGINE=epoll). The epoll engine is opt-in
/// while it costs more CPU per message than the sockets engine (docs/benchmarks.md, Firehose).
/// </summary>
internal static class FirehoseEngine
{
    /// <summary>Environment variable that picks the engine: "sockets" (default) or "epoll" (Linux only).</summary>
    public const string Variable = "SLUICE_FIREHOSE_ENGINE";

    /// <summary>Read once per process, like the proxy's engine switch.</summary>
    public static bool IsEpoll { get; } =
        OperatingSystem.IsLinux() &&
        string.Equals(Environment.GetEnvironmentVariable(Variable), "epoll", StringComparison.OrdinalIgnoreCase);

    public static string Name => IsEpoll ? "epoll" : "sockets";
}
