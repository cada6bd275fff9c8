namespace Sluice.Firehose;

internal enum SessionState
{
    /// <summary>A connection is attached and its writer sends the queue.</summary>
    Live,

    /// <summary>The connection dropped; the session waits for a resume until stale_timeout.</summary>
    Stale,

    /// <summary>A resume handshake holds it; on failure it goes back to Stale untouched.</summary>
    Resuming,

    /// <summary>Gone for good (failed, kicked, shut down).</summary>
    Closed,
}
