using System.Buffers;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

internal sealed partial class MuxSession
{
    // Room a stream's turn needs in the batch: a control frame, a data header and some payload.
    private const int StreamTurnReserve = (2 * FrameHeader.Size) + 512;

    // A batch of small writes this large is written at once by the writing thread instead of
    // after the event thread's other events: waiting for all of them turned the requests in
    // flight into one convoy that moved around the tunnel in lockstep.
    private const int EarlyFlushBytes = 1024;

    private readonly Lock _writeLock = new();
    private readonly Queue<FrameHeader> _sessionFrames = new();
    private readonly Queue<MuxStream> _controlReady = new();
    private readonly Queue<MuxStream> _dataReady = new();
    private readonly AsyncSignal _writerSignal = new();
    private readonly DeferredWake? _deferredWake;
    private bool _writerClosing;
    private bool _flushControlOnClose;
    private long _writeStarted;

    // The batch frames are appended to (under _writeLock) until the write loop takes it for one
    // transport write; the spare is the last written batch, kept while the loop stays busy.
    private byte[]? _openBatch;
    private int _openUsed;
    private byte[]? _spareBatch;

    /// <summary>Queues a session frame (ping, go-away, RST of a refused stream); false when the session ended over a flood.</summary>
    internal bool EnqueueSessionFrame(FrameHeader frame)
    {
        bool flood;
        lock (_writeLock)
        {
            if (_writerClosing)
            {
                return _closeReason is null;
            }

            flood = _sessionFrames.Count >= _options.MaxQueuedControlFrames;
            if (!flood)
            {
                _sessionFrames.Enqueue(frame);
            }
        }

        if (flood)
        {
            ProtocolError("more than " + _options.MaxQueuedControlFrames + " control frames queued unsent (the peer sends pings or opens streams without reading)");
            return false;
        }

        _writerSignal.Set();
        return true;
    }

    /// <summary>The stream has flags or window credit to send.</summary>
    internal void ScheduleControl(MuxStream stream)
    {
        QueueControl(stream);
        _writerSignal.Set();
    }

    /// <summary>As <see cref="ScheduleControl"/> without waking the write loop.</summary>
    internal void QueueControl(MuxStream stream)
    {
        lock (_writeLock)
        {
            if (!stream.InControlQueue)
            {
                stream.InControlQueue = true;
                _controlReady.Enqueue(stream);
            }
        }
    }

    /// <summary>
    /// Wakes the write loop after a small write framed into the open batch: on this thread at once
    /// when the batch holds <see cref="EarlyFlushBytes"/>, otherwise on the socket event thread once
    /// its current events are handled (<see cref="DeferredWake"/>), else on the pool.
    /// </summary>
    internal void WakeWriter()
    {
        if (Volatile.Read(ref _openUsed) >= EarlyFlushBytes)
        {
            // Enough messages wait: write them now, on this thread, rather than after the rest of
            // the event thread's wake-up, so the peer can start on them (see EarlyFlushBytes).
            _writerSignal.SetInline();
        }
        else if (_deferredWake is null || !_deferredWake.Wake())
        {
            _writerSignal.Set();
        }
    }

    /// <summary>The stream has data to send and window to send it with; it joins the round robin.</summary>
    internal void ScheduleData(MuxStream stream)
    {
        if (QueueData(stream))
        {
            _writerSignal.Set();
        }
    }

    /// <summary>As <see cref="ScheduleData"/> without waking the write loop (for the write loop itself).</summary>
    internal bool QueueData(MuxStream stream)
    {
        lock (_writeLock)
        {
            if (stream.InDataQueue)
            {
                return false;
            }

            stream.InDataQueue = true;
            _dataReady.Enqueue(stream);
            return true;
        }
    }

    private void BeginWriterShutdown(GoAwayCode? goAway, bool graceful)
    {
        lock (_writeLock)
        {
            if (goAway is { } code && !_writerClosing)
            {
                _sessionFrames.Enqueue(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)code));
            }

            // A graceful end still sends the streams' pending FINs and RSTs (the peer then sees
            // each stream end as the application ended it); data not yet in a batch is dropped.
            _flushControlOnClose = !_writerClosing && graceful;
            _writerClosing = true;
            _dataReady.Clear();
            if (!_flushControlOnClose)
            {
                _controlReady.Clear();
            }
        }

        _writerSignal.Set();
    }

    /// <summary>Under <see cref="WriteLock"/>: the free part of the open batch (rented on first use).</summary>
    internal Span<byte> OpenBatchRoom()
    {
        if (_openBatch is null)
        {
            _openBatch = _spareBatch ?? ArrayPool<byte>.Shared.Rent(_options.WriteBatchSize);
            _spareBatch = null;
        }

        return _openBatch.AsSpan(_openUsed, _options.WriteBatchSize - _openUsed);
    }

    /// <summary>Under <see cref="WriteLock"/>: <paramref name="count"/> bytes of frames were written at the start of <see cref="OpenBatchRoom"/>.</summary>
    internal void CommitToOpenBatch(int count) => _openUsed += count;

    /// <summary>Under <see cref="WriteLock"/>: true once the session ends and stream data is no longer sent.</summary>
    internal bool DataClosed => _writerClosing;

    internal Lock WriteLock => _writeLock;

    /// <remarks>
    /// Coalesces: everything queued goes into the open batch (control frames first, then one
    /// quantum of data per ready stream in turn, so one bulk stream cannot starve the others),
    /// and small writes are framed into it by the writing thread itself
    /// (<see cref="MuxStream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>); the loop
    /// then takes the whole batch for one transport write, and frames appended meanwhile go into
    /// the next. Every append is under the write lock, so frames of one stream leave in the order
    /// they were appended. The batches go back to the pool when nothing is left to send.
    /// </remarks>
    private async Task WriteLoopAsync()
    {
        byte[]? batch = null;
        try
        {
            while (true)
            {
                await _writerSignal.WaitAsync().ConfigureAwait(false);
                var firstBatch = true;
                while (true)
                {
                    if (!firstBatch && !Thread.CurrentThread.IsThreadPoolThread && HasQueuedWork())
                    {
                        // Run by a small write's wake-up on a socket event thread (or the writer's
                        // own): one batch there, the rest on the pool, so a bulk stream's batches
                        // never hold up the sockets that thread serves.
                        await Task.Yield();
                    }

                    firstBatch = false;
                    FillBatch();
                    int used;
                    lock (_writeLock)
                    {
                        batch = _openBatch;
                        used = _openUsed;
                        _openBatch = null;
                        _openUsed = 0;
                        if (used == 0)
                        {
                            // Nothing to send: idle holds no batch.
                            if (batch is not null)
                            {
                                ArrayPool<byte>.Shared.Return(batch);
                            }

                            if (_spareBatch is not null)
                            {
                                ArrayPool<byte>.Shared.Return(_spareBatch);
                                _spareBatch = null;
                            }

                            batch = null;
                            break;
                        }
                    }

                    Interlocked.Exchange(ref _writeStarted, Now);
                    await _transport.WriteAsync(batch!.AsMemory(0, used)).ConfigureAwait(false);
                    Interlocked.Exchange(ref _writeStarted, 0);
                    lock (_writeLock)
                    {
                        if (_spareBatch is null)
                        {
                            _spareBatch = batch;
                        }
                        else
                        {
                            ArrayPool<byte>.Shared.Return(batch!);
                        }

                        batch = null;
                    }
                }

                await _transport.FlushAsync().ConfigureAwait(false);
                lock (_writeLock)
                {
                    if (_writerClosing && _sessionFrames.Count == 0 && (!_flushControlOnClose || _controlReady.Count == 0))
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
            MuxLog.TransportError(_logger, ex);
            Close("transport write failed: " + ex.Message, null);
        }
        finally
        {
            lock (_writeLock)
            {
                // Closed for good: appends stop (DataClosed) and nothing more is sent.
                _writerClosing = true;
                foreach (var pooled in (ReadOnlySpan<byte[]?>)[batch, _openBatch, _spareBatch])
                {
                    if (pooled is not null)
                    {
                        ArrayPool<byte>.Shared.Return(pooled);
                    }
                }

                _openBatch = null;
                _spareBatch = null;
                _openUsed = 0;
            }

            CloseTransport();
            OnLoopExited();
        }
    }

    private bool HasQueuedWork()
    {
        lock (_writeLock)
        {
            return _openUsed > 0 || _sessionFrames.Count > 0 || _controlReady.Count > 0 || _dataReady.Count > 0;
        }
    }

    /// <summary>Moves queued session frames, control frames and data quanta into the open batch until it is full or nothing is ready.</summary>
    private void FillBatch()
    {
        while (true)
        {
            MuxStream? stream;
            bool data;
            lock (_writeLock)
            {
                var room = OpenBatchRoom();
                if (_sessionFrames.Count > 0 && room.Length >= FrameHeader.Size)
                {
                    _sessionFrames.Dequeue().Write(room);
                    _openUsed += FrameHeader.Size;
                    continue;
                }

                if ((_writerClosing && !_flushControlOnClose) || room.Length < StreamTurnReserve)
                {
                    return;
                }

                if (_controlReady.TryDequeue(out stream))
                {
                    stream.InControlQueue = false;
                    data = false;
                }
                else if (!_writerClosing && _dataReady.TryDequeue(out stream))
                {
                    stream.InDataQueue = false;
                    data = true;
                }
                else
                {
                    return;
                }
            }

            stream.WriteFrames(data);
        }
    }
}
