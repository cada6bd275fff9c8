namespace Sluice.Configuration;

/// <summary>The whole of one sluice.toml, validated. Immutable: a reload builds a new one.</summary>
public sealed record SluiceConfig
{
    public ServerConfig Server { get; init; } = new();

    /// <summary>Null when the file has no [admin] table: no admin endpoint is served.</summary>
    public AdminConfig? Admin { get; init; }

    public IReadOnlyList<ProxyRouteConfig> Proxies { get; init; } = [];

    public IReadOnlyList<ClusterConfig> Clusters { get; init; } = [];

    public IReadOnlyList<EchoConfig> Echoes { get; init; } = [];

    public IReadOnlyList<FirehoseConfig> Firehoses { get; init; } = [];
    /// <summary>Null when the file has no [tunnel_server] table.</summary>
    public TunnelServerConfig? TunnelServer { get; init; }

    /// <summary>The file this config was read from, or null for one built in code.</summary>
    public string? SourcePath { get; init; }
}
