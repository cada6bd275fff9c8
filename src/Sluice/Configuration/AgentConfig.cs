namespace Sluice.Configuration;

/// <summary>The whole of one agent.toml (`sluice agent -c agent.toml`), validated.</summary>
public sealed record AgentConfig
{
    /// <summary>"host:port" for TCP, or a ws:// / wss:// URL.</summary>
    public required string Server { get; init; }

    public required string Name { get; init; }

    public required string Token { get; init; }

    /// <summary>TLS on the TCP transport; ignored for URLs, where the scheme decides (wss = TLS).</summary>
    public bool Tls { get; init; } = true;

    /// <summary>Normalized upper-case hex SHA-256 of the server certificate, or null.</summary>
    public string? ServerFingerprint { get; init; }

    /// <summary>PEM file of the CA that signs the server certificate, or null.</summary>
    public string? CaFile { get; init; }

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public LogLevelSetting LogLevel { get; init; } = LogLevelSetting.Info;

    /// <summary>Where the inspector page of HTTP tunnels is served (loopback by default); null = no inspector, nothing captured.</summary>
    public HostPort? Inspect { get; init; }

    /// <summary>How much of each request and response body the inspector keeps; the rest is streamed, not kept.</summary>
    public int InspectBodyBytes { get; init; } = 64 * 1024;

    /// <summary>The inspector's ring: the most recent exchanges kept.</summary>
    public int InspectMaxRequests { get; init; } = 200;

    public IReadOnlyList<ExposeConfig> Exposes { get; init; } = [];

    public IReadOnlyList<ForwardConfig> Forwards { get; init; } = [];

    public string? SourcePath { get; init; }
}
