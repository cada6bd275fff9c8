namespace Sluice.Configuration;

public sealed record ServerConfig
{
    public LogLevelSetting LogLevel { get; init; } = LogLevelSetting.Info;

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Drain deadline after SIGTERM/SIGINT.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Process-wide cap on accepted client connections.</summary>
    public int MaxConnections { get; init; } = 50_000;

    /// <summary>One log line per client connection at close (category Sluice.Access).</summary>
    public bool AccessLog { get; init; } = true;
}

public enum LogLevelSetting
{
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

public enum LogFormat
{
    Text,
    Json,
}
