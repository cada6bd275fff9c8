using System.Net;

namespace Sluice.Cli.Bench;

/// <summary>`sluice bench hold`: open <see cref="Connections"/> idle connections and keep them.</summary>
internal sealed record HoldOptions
{
    public required IPEndPoint Target { get; init; }

    public int Connections { get; init; } = 1000;

    /// <summary>Connections being opened at once.</summary>
    public int Parallelism { get; init; } = 64;

    /// <summary>Processes (the proxy under test; nginx's workers) whose summed RSS is read before opening and after settling.</summary>
    public IReadOnlyList<int> Pids { get; init; } = [];

    /// <summary>
    /// Connections opened, checked and closed before the baseline RSS is read. A process's first
    /// connections pay one-time costs (JIT-compiled code, pools, lazily paged code) that are not
    /// per-connection memory: measured on Sluice, a cold process charged 13 KB to each of its
    /// first 200 connections.
    /// </summary>
    public int Warmup { get; init; }

    /// <summary>Wait after the last connection is open before reading the RSS (let the target finish its work).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Keep the connections open this much longer after the measurement.</summary>
    public TimeSpan HoldFor { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The target is a firehose gateway: each connection is a <c>FirehoseClient</c> that completes
    /// the new-session handshake and is checked with one message echoed by the master.
    /// </summary>
    public bool Firehose { get; init; }
}
