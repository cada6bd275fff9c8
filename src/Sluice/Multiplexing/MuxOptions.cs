namespace Sluice.Multiplexing;

/// <summary>
/// Tuning of a multiplexed session (docs/protocols/tunnel.md, "Defaults"). The protocol's own
/// per-stream window is 256 KiB; Sluice opens each stream wider and lets it grow, bounded per
/// session so a peer cannot make it buffer without limit.
/// </summary>
internal sealed record MuxOptions
{
    /// <summary>The receive window each stream opens with, announced with its SYN or ACK.</summary>
    public int StreamWindow { get; init; } = 1024 * 1024;

    /// <summary>The cap for auto-grown windows of throughput-bound streams.</summary>
    public int MaxStreamWindow { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes of receive window the session grants in total (the baseline 256 KiB of each stream
    /// included); received but unread bytes never exceed it — a stream that would push them past
    /// it is reset.
    /// </summary>
    public long MaxSessionBuffer { get; init; } = 64L * 1024 * 1024;

    /// <summary>Opened streams not yet accepted beyond this many are refused with RST.</summary>
    public int AcceptBacklog { get; init; } = 256;

    /// <summary>Interval between keepalive pings; <see cref="TimeSpan.Zero"/> disables them.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A keepalive ping unanswered for this long ends the session.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>An opened stream the peer has not acknowledged within this time is reset.</summary>
    public TimeSpan StreamOpenTimeout { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>A stream the application closed is reset if the peer has not finished it (FIN) within this time.</summary>
    public TimeSpan StreamCloseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest data frame Sluice sends; also the fairness quantum between streams.</summary>
    public int MaxFramePayload { get; init; } = 32 * 1024;

    /// <summary>Size of one coalesced transport write (many frames, one syscall).</summary>
    public int WriteBatchSize { get; init; } = 128 * 1024;

    /// <summary>Session frames (ping answers, resets) queued unsent beyond this end the session.</summary>
    public int MaxQueuedControlFrames { get; init; } = 4096;
}
