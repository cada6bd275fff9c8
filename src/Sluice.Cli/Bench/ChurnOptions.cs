using System.Net;

namespace Sluice.Cli.Bench;

/// <summary>`sluice bench churn`: a new connection per request, <see cref="Connections"/> at a time.</summary>
internal sealed record ChurnOptions
{
    public required IPEndPoint Target { get; init; }

    /// <summary>Concurrent workers, each opening one connection after another.</summary>
    public int Connections { get; init; } = 50;

    /// <summary>Bytes sent on each connection and expected back; 0 connects and closes only.</summary>
    public int MessageBytes { get; init; } = 64;

    public TimeSpan? Duration { get; init; }

    /// <summary>Exactly this many connections in all.</summary>
    public long? Count { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
