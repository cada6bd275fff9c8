namespace Sluice.Configuration;

/// <summary>One [[proxy]] table: listeners whose connections are forwarded to a cluster.</summary>
public sealed record ProxyRouteConfig
{
    public required string Name { get; init; }

    public required IReadOnlyList<HostPort> Listen { get; init; }

    public required string Cluster { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>No bytes either way for this long closes both sides. Zero disables it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Cap on this route's open client connections.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Upstreams tried per client connection before it is refused.</summary>
    public int ConnectAttempts { get; init; } = 3;
}
