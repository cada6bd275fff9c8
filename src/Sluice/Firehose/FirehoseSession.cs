using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// One client's session: its id, the key its resume challenge is sealed with, and its outbound
/// queue. The queue (a pipe of whole frames) outlives connections: while the session is stale
/// it holds the missed messages, and the next connection's writer sends them first, so replayed
/// messages come before new ones, in order. All state changes happen under <see cref="_lock"/>,
/// which is never held across an await. Only the master link's receive loop writes to and
/// flushes the queue (one writer), so a flush needs no lock; closing only cancels the reader.
/// </summary>
internal sealed class FirehoseSession
{
    // Inline: a flush runs the client's writer loop on the master link's receive thread, which
    // then sends everything queued for that client in one call, with no thread-pool hop.
    private static readonly PipeOptions QueueOptions = new(
        pool: SessionBlockPool.Instance,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        useSynchronizationContext: false);

    private readonly Lock _lock = new();
    private readonly Pipe _queue = new(QueueOptions);
    private int _queued;
    private FirehoseConnection? _connection;

    public FirehoseSession(ulong id, byte[] sessionKey, IPEndPoint remote)
    {
        Id = id;
        SessionKey = sessionKey;
        Remote = remote;
    }

    public ulong Id { get; }

    /// <summary>HKDF output of the first handshake's ECDH; seals resume challenges.</summary>
    public byte[] SessionKey { get; }

    public IPEndPoint Remote { get; private set; }

    public SessionState State { get; private set; } = SessionState.Live;

    /// <summary>When the session went stale (TimeProvider timestamp); meaningful while stale.</summary>
    public long StaleSince { get; private set; }

    /// <summary>The table's stale-list node; guarded by the table's lock.</summary>
    public LinkedListNode<FirehoseSession>? StaleNode { get; set; }

    /// <summary>Messages queued and not yet handed to a socket.</summary>
    public int Queued => Volatile.Read(ref _queued);

    public PipeReader QueueReader => _queue.Reader;

    /// <summary>Makes <paramref name="connection"/> the session's; false when the session was closed meanwhile (kicked, shut down).</summary>
    public bool TryAttach(FirehoseConnection connection)
    {
        lock (_lock)
        {
            if (State == SessionState.Closed)
            {
                return false;
            }

            _connection = connection;
            Remote = connection.Remote;
            State = SessionState.Live;
            return true;
        }
    }

    /// <summary>Queues one message (framed) for the client.</summary>
    public EnqueueResult Enqueue(ReadOnlySpan<byte> message, int clientQueue, int missedMessages)
    {
        lock (_lock)
        {
            switch (State)
            {
                case SessionState.Closed:
                    return EnqueueResult.Closed;
                case SessionState.Live when _queued >= clientQueue:
                    return EnqueueResult.QueueOverflow;
                case SessionState.Stale or SessionState.Resuming when missedMessages == 0:
                    return EnqueueResult.NoBuffer;
                case SessionState.Stale or SessionState.Resuming when _queued >= missedMessages:
                    return EnqueueResult.MissedOverflow;
            }

            Framing.WriteFrame(_queue.Writer, message);
            _queued++;
            return EnqueueResult.Queued;
        }
    }

    /// <summary>Set by the master link when it queued for this session in the current batch; master thread only.</summary>
    public bool Dirty { get; set; }

    /// <summary>
    /// Makes what was queued in this batch visible to the writer loop (master thread only,
    /// after the whole batch is routed, so a client gets its share in one send). Never pauses:
    /// there is no writer threshold; the client_queue count bounds the queue instead.
    /// </summary>
    public void Flush()
    {
        Dirty = false;
        _ = _queue.Writer.FlushAsync();

        // The epoll engine sends from here; the sockets engine's writer loop ran inside the flush.
        Volatile.Read(ref _connection)?.OnQueued();
    }

    /// <summary>The writer sent <paramref name="messages"/> frames.</summary>
    public void Sent(int messages) => Interlocked.Add(ref _queued, -messages);

    /// <summary>
    /// The connection dropped: stale when it was this session's live connection. With buffering
    /// off the queue is dropped once the writer has stopped (<see cref="DiscardQueue"/>).
    /// </summary>
    public bool TryMarkStale(FirehoseConnection connection, long now)
    {
        lock (_lock)
        {
            if (_connection != connection || State != SessionState.Live)
            {
                return false;
            }

            _connection = null;
            State = SessionState.Stale;
            StaleSince = now;
            return true;
        }
    }

    /// <summary>Takes a stale session for a resume handshake; false if it is not stale.</summary>
    public bool TryClaim()
    {
        lock (_lock)
        {
            if (State != SessionState.Stale)
            {
                return false;
            }

            State = SessionState.Resuming;
            return true;
        }
    }

    /// <summary>A failed resume puts the session back as it was, keeping its stale time.</summary>
    public void Unclaim()
    {
        lock (_lock)
        {
            if (State == SessionState.Resuming)
            {
                State = SessionState.Stale;
            }
        }
    }

    /// <summary>Stale (and not being resumed) since before <paramref name="cutoff"/>, or any stale when null.</summary>
    public bool TryCloseStale(long? cutoff)
    {
        lock (_lock)
        {
            if (State != SessionState.Stale || (cutoff is { } c && StaleSince > c))
            {
                return false;
            }

            CloseLocked();
            return true;
        }
    }

    /// <summary>Ends the session for good; returns the connection to close, if one is attached.</summary>
    public FirehoseConnection? Close()
    {
        lock (_lock)
        {
            if (State == SessionState.Closed)
            {
                return null;
            }

            var connection = _connection;
            CloseLocked();
            return connection;
        }
    }

    /// <summary>Drops queued messages; only while no writer reads the queue.</summary>
    public void DiscardQueue()
    {
        lock (_lock)
        {
            if (State == SessionState.Closed)
            {
                return;
            }

            if (_queue.Reader.TryRead(out var result))
            {
                _queue.Reader.AdvanceTo(result.Buffer.End);
            }

            _queued = 0;
        }
    }

    private void CloseLocked()
    {
        State = SessionState.Closed;
        _connection = null;

        // Wakes a writer loop still reading (its connection is being aborted too). The writer
        // side is the master thread's alone, so it is not completed here; unsent frames go
        // with the session object.
        _queue.Reader.CancelPendingRead();
    }
}
