namespace Sluice.Forwarding;

/// <summary>
/// A live connection known to a <see cref="ConnectionRegistry"/>: it can be swept for idleness
/// and aborted at the drain deadline. The registry links these intrusively, so tracking a
/// connection allocates nothing.
/// </summary>
public abstract class TrackedConnection
{
    private long _lastActivity = Environment.TickCount64;
    private int _closeReason = -1;
    private long _bytesFromClient;
    private long _bytesToClient;

    internal TrackedConnection? Previous { get; set; }

    internal TrackedConnection? Next { get; set; }

    internal ConnectionRegistry? Registry { get; set; }

    /// <summary>Milliseconds of silence after which the sweeper aborts this connection; 0 = never.</summary>
    public long IdleTimeoutMs { get; protected init; }

    public long LastActivityTicks => Volatile.Read(ref _lastActivity);

    /// <summary>The first reason recorded, or <see cref="CloseReason.Completed"/> when none was.</summary>
    public CloseReason CloseReason => _closeReason < 0 ? CloseReason.Completed : (CloseReason)_closeReason;

    /// <summary>Bytes this connection forwarded from the client (for the access log).</summary>
    public long BytesFromClient => Volatile.Read(ref _bytesFromClient);

    /// <summary>Bytes this connection forwarded to the client.</summary>
    public long BytesToClient => Volatile.Read(ref _bytesToClient);

    /// <summary>Called on every forwarded chunk; one plain store, no lock.</summary>
    protected void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>Records why the connection ended; the first reason wins.</summary>
    protected bool TrySetCloseReason(CloseReason reason) =>
        Interlocked.CompareExchange(ref _closeReason, (int)reason, -1) == -1;

    /// <summary>
    /// Counts a forwarded chunk here and in <paramref name="counter"/>, and marks activity. Each
    /// direction is counted by one thread at a time, so a plain add is enough.
    /// </summary>
    protected void CountBytes(bool fromClient, long count, IByteCounter? counter)
    {
        Touch();
        if (fromClient)
        {
            Volatile.Write(ref _bytesFromClient, _bytesFromClient + count);
            counter?.AddBytesFromClient(count);
        }
        else
        {
            Volatile.Write(ref _bytesToClient, _bytesToClient + count);
            counter?.AddBytesToClient(count);
        }
    }

    /// <summary>Ends the connection at once (both sockets closed); safe to call from any thread, repeatedly.</summary>
    public abstract void Abort(CloseReason reason);
}
