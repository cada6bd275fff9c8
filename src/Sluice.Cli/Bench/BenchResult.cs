namespace Sluice.Cli.Bench;

/// <summary>
/// One run's outcome, printed as a table and written as JSON. Fields a mode doesn't measure stay
/// null and are left out of the JSON.
/// </summary>
internal sealed record BenchResult
{
    public required string Mode { get; init; }

    public required string Target { get; init; }

    /// <summary>Concurrent connections (rr, stream, churn workers) or connections to hold (hold).</summary>
    public int Connections { get; init; }

    public int? MessageBytes { get; init; }

    /// <summary>The measured phase's wall time, warm-up excluded.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>rr: the requested rate (open loop), null for closed loop.</summary>
    public double? TargetRate { get; init; }

    /// <summary>rr: request/response round trips completed with a matching echo.</summary>
    public long? Requests { get; init; }

    public double? RequestsPerSecond { get; init; }

    /// <summary>churn: connections opened, used for one echo and closed.</summary>
    public long? ConnectionsCompleted { get; init; }

    public double? ConnectionsPerSecond { get; init; }

    public long? BytesSent { get; init; }

    public long? BytesReceived { get; init; }

    public double? SendGbitPerSecond { get; init; }

    public double? ReceiveGbitPerSecond { get; init; }

    /// <summary>hold: connections open at once, each checked with one echo.</summary>
    public int? Held { get; init; }

    public double? OpenSeconds { get; init; }

    /// <summary>hold: the processes whose RSS was summed.</summary>
    public IReadOnlyList<int>? Pids { get; init; }

    public long? RssBeforeBytes { get; init; }

    public long? RssAfterBytes { get; init; }

    public double? RssPerConnectionBytes { get; init; }

    /// <summary>rr: from the intended send time (open loop) or the actual send (closed loop); churn: connect to echo back and close.</summary>
    public LatencySummary? Latency { get; init; }

    /// <summary>churn and hold: the TCP connect alone.</summary>
    public LatencySummary? ConnectLatency { get; init; }

    /// <summary>rr: bytes this load generator allocated per request in the measured phase (whole process, so phase setup is included); its own efficiency check.</summary>
    public double? GeneratorBytesAllocatedPerOperation { get; init; }

    /// <summary>Failed operations (resets, refused connects, wrong echoes); a clean run has 0.</summary>
    public long Errors { get; init; }

    /// <summary>The first error seen, to say what went wrong.</summary>
    public string? FirstError { get; init; }
}
