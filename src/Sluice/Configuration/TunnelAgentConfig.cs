namespace Sluice.Configuration;

/// <summary>One [[tunnel_server.agent]]: an agent's credentials and what it is allowed.</summary>
public sealed record TunnelAgentConfig
{
    public required string Name { get; init; }

    public required string Token { get; init; }

    /// <summary>Public ports this agent may publish (reverse tunnels).</summary>
    public IReadOnlyList<PortRange> AllowPorts { get; init; } = [];

    /// <summary>HTTP hosts this agent may claim besides its own name's subdomain: a bare label is a subdomain of the server's domain, a name with a dot a full host.</summary>
    public IReadOnlyList<string> AllowHosts { get; init; } = [];

    /// <summary>Destinations this agent may reach through the server (forward tunnels).</summary>
    public IReadOnlyList<ForwardRule> AllowForward { get; init; } = [];

    /// <summary>Cap on user connections open at once through this agent's public ports.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>No bytes either way for this long closes a user connection through this agent. Zero disables it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;
}
