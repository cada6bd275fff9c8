using System.Net;

namespace Sluice.Cli.Bench;

/// <summary>`sluice bench rr`: request/response of <see cref="MessageBytes"/> over <see cref="Connections"/> connections to an echo.</summary>
internal sealed record RrOptions
{
    public required IPEndPoint Target { get; init; }

    public int Connections { get; init; } = 50;

    public int MessageBytes { get; init; } = 64;

    public TimeSpan? Duration { get; init; }

    public long? Count { get; init; }

    /// <summary>Requests per second over all connections (open loop); null sends each request as soon as the previous answer is in.</summary>
    public double? Rate { get; init; }

    /// <summary>Run the same load this long first, unrecorded (JIT, caches, connection pools).</summary>
    public TimeSpan Warmup { get; init; }
}
