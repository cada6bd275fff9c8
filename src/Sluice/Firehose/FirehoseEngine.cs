namespace Sluice.Firehose;

/// <summary>
/// Which engine serves a firehose's established clients and its master link: one epoll loop
/// (the default on Linux; see <see cref="MasterPump"/>), or .NET <c>Socket</c> async loops
/// (other systems, or SLUICE_FIREHOSE_ENGINE=sockets).
/// </summary>
internal static class FirehoseEngine
{
    /// <summary>Environment variable that picks the engine: "epoll" (default on Linux) or "sockets".</summary>
    public const string Variable = "SLUICE_FIREHOSE_ENGINE";

    /// <summary>Read once per process, like the proxy's engine switch.</summary>
    public static bool IsEpoll { get; } =
        OperatingSystem.IsLinux() &&
        !string.Equals(Environment.GetEnvironmentVariable(Variable), "sockets", StringComparison.OrdinalIgnoreCase);

    public static string Name => IsEpoll ? "epoll" : "sockets";
}
