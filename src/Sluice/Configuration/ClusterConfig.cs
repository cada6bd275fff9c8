namespace Sluice.Configuration;

/// <summary>One [[cluster]] table: a set of upstreams and how to choose and check them.</summary>
public sealed record ClusterConfig
{
    public required string Name { get; init; }

    public BalancePolicyKind Balance { get; init; } = BalancePolicyKind.RoundRobin;

    public required IReadOnlyList<UpstreamConfig> Upstreams { get; init; }

    /// <summary>Active checks; null means upstreams are assumed healthy unless passively ejected.</summary>
    public HealthCheckConfig? Health { get; init; }

    public PassiveHealthConfig Passive { get; init; } = new();
}

public enum BalancePolicyKind
{
    RoundRobin,
    LeastConnections,
    PowerOfTwo,
    Random,
    SourceHash,
}

public sealed record UpstreamConfig
{
    public required HostPort Address { get; init; }

    public int Weight { get; init; } = 1;
}

/// <summary>[cluster.health]: active checks. Without send/expect a check is a TCP connect.</summary>
public sealed record HealthCheckConfig
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive passes that mark a down upstream up.</summary>
    public int Rise { get; init; } = 2;

    /// <summary>Consecutive failures that mark an up upstream down.</summary>
    public int Fall { get; init; } = 3;

    public string? Send { get; init; }

    public string? Expect { get; init; }
}

/// <summary>[cluster.passive]: ejection after consecutive connect failures seen by real traffic.</summary>
public sealed record PassiveHealthConfig
{
    /// <summary>Consecutive connect failures that eject an upstream; 0 turns passive ejection off.</summary>
    public int MaxFailures { get; init; } = 3;

    /// <summary>
    /// Without active checks, an ejected upstream is offered again after this long; with them, the
    /// active check's next pass brings it back.
    /// </summary>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(10);
}
