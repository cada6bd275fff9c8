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

    /// <summary>Optional: the public HTTP edge (HTTP tunnels, routed by Host).</summary>
    public HostPort? HttpListen { get; init; }

    /// <summary>Optional: the public HTTPS edge, with <see cref="HttpsCert"/> and <see cref="HttpsKey"/>.</summary>
    public HostPort? HttpsListen { get; init; }

    public string HttpsCert { get; init; } = string.Empty;

    public string HttpsKey { get; init; } = string.Empty;

    /// <summary>The domain whose subdomains agents claim ("tunnel.example.com"), lower case; empty = full hosts only.</summary>
    public string Domain { get; init; } = string.Empty;

    /// <summary>An HTTP tunnel request idle this long (no response headers, no body bytes) gets 504.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Cap on one request's header block at the edge; more gets 431.</summary>
    public int HttpMaxHeaderBytes { get; init; } = 32 * 1024;

    /// <summary>Cap on one request body at the edge (413 beyond it); 0 = no cap, the body is streamed either way.</summary>
    public long HttpMaxBodyBytes { get; init; }

    public bool HasHttpEdge => HttpListen is not null || HttpsListen is not null;

    public IReadOnlyList<TunnelAgentConfig> Agents { get; init; } = [];
}
