using System.Net;

namespace Sluice.Cli.Bench;

/// <summary>`sluice bench stream`: bulk transfer over <see cref="Connections"/> streams.</summary>
internal sealed record StreamOptions
{
    public required IPEndPoint Target { get; init; }

    public int Connections { get; init; } = 1;

    /// <summary>Bytes per send call (and the receive buffer size).</summary>
    public int ChunkBytes { get; init; } = 64 * 1024;

    public TimeSpan? Duration { get; init; }

    /// <summary>Total bytes to send over all streams (split evenly); null sends until the duration ends.</summary>
    public long? Bytes { get; init; }

    public StreamDirection Direction { get; init; } = StreamDirection.Both;

    /// <summary>After sending ends, how long to wait for the target to return the rest and close.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
