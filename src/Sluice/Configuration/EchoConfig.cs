namespace Sluice.Configuration;

/// <summary>One [[echo]] table: a built-in echo server, for demos, health checks and benchmarks.</summary>
public sealed record EchoConfig
{
    public required string Name { get; init; }

    public required IReadOnlyList<HostPort> Listen { get; init; }
}
