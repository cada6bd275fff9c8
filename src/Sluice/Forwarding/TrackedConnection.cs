namespace Sluice.Forwarding;

/// <summary>
/// A live connection known to a <see cref="ConnectionRegistry"/>: it can be swept for idleness
/// and aborted at the drain deadline. The registry links these intrusively, so tracking a
/// connection allocates nothing.
/// </summary>
public abstract class TrackedConnection
{
    private long _lastActivity = Environment.TickCount64;

    internal TrackedConnection? Previous { get; set; }

    internal TrackedConnection? Next { get; set; }

    internal ConnectionRegistry? Registry { get; set; }

    /// <summary>Milliseconds of silence after which the sweeper aborts this connection; 0 = never.</summary>
    public long IdleTimeoutMs { get; protected init; }

    public long LastActivityTicks => Volatile.Read(ref _lastActivity);

    /// <summary>Called on every forwarded chunk; one plain store, no lock.</summary>
    protected void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>Ends the connection at once (both sockets closed); safe to call from any thread, repeatedly.</summary>
    public abstract void Abort(CloseReason reason);
}
