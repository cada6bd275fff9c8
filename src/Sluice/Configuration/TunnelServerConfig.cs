namespace Sluice.Configuration;

/// <summary>[tunnel_server]: where agents connect, and what each agent may do. Nothing is allowed unless listed.</summary>
public sealed record TunnelServerConfig
{
    /// <summary>Agents connect here over TCP (TLS unless <see cref="Tls"/> is false).</summary>
    public required HostPort Listen { get; init; }

    public bool Tls { get; init; } = true;

    /// <summary>PEM certificate; empty with <see cref="TlsKey"/> = a self-signed pair generated next to the config on first start.</summary>
    public string TlsCert { get; init; } = string.Empty;

    public string TlsKey { get; init; } = string.Empty;

    /// <summary>Optional: agents over WebSocket (path /tunnel), wss when <see cref="Tls"/>.</summary>
    public HostPort? WebSocketListen { get; init; }

    /// <summary>From accepted connection to registered tunnels; a slower agent is closed.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Control heartbeats; an agent silent for three intervals is closed.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<TunnelAgentConfig> Agents { get; init; } = [];
}
