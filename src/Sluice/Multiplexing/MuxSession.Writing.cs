using System.Buffers;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

internal sealed partial class MuxSession
{
    // Room a stream's turn needs in the batch: a control frame, a data header and some payload.
    private const int StreamTurnReserve = (2 * FrameHeader.Size) + 512;

    private readonly Lock _writeLock = new();
    private readonly Queue<FrameHeader> _sessionFrames = new();
    private readonly Queue<MuxStream> _controlReady = new();
    private readonly Queue<MuxStream> _dataReady = new();
    private readonly AsyncSignal _writerSignal = new();
    private bool _writerClosing;
    private bool _flushControlOnClose;
    private long _writeStarted;

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
        lock (_writeLock)
        {
            if (stream.InControlQueue)
            {
                return;
            }

            stream.InControlQueue = true;
            _controlReady.Enqueue(stream);
        }

        _writerSignal.Set();
    }

    /// <summary>The stream has data to send and window to send it with; it joins the round robin.</summary>
    internal void ScheduleData(MuxStream stream)
    {
        lock (_writeLock)
        {
            if (stream.InDataQueue)
            {
                return;
            }

            stream.InDataQueue = true;
            _dataReady.Enqueue(stream);
        }

        _writerSignal.Set();
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

    /// <remarks>
    /// Coalesces: everything queued goes into one pooled batch per transport write (control
    /// frames first, then one quantum of data per ready stream in turn, so one bulk stream cannot
    /// starve the others); the batch is returned to the pool when nothing is left to send.
    /// </remarks>
    private async Task WriteLoopAsync()
    {
        byte[]? batch = null;
        try
        {
            while (true)
            {
                await _writerSignal.WaitAsync();
                while (true)
                {
                    batch ??= ArrayPool<byte>.Shared.Rent(_options.WriteBatchSize);
                    var used = FillBatch(batch.AsSpan(0, _options.WriteBatchSize));
                    if (used == 0)
                    {
                        break;
                    }

                    Interlocked.Exchange(ref _writeStarted, Now);
                    await _transport.WriteAsync(batch.AsMemory(0, used));
                    Interlocked.Exchange(ref _writeStarted, 0);
                }

                if (batch is not null)
                {
                    ArrayPool<byte>.Shared.Return(batch);
                    batch = null;
                }

                await _transport.FlushAsync();
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
            if (batch is not null)
            {
                ArrayPool<byte>.Shared.Return(batch);
            }

            CloseTransport();
            OnLoopExited();
        }
    }

    private int FillBatch(Span<byte> batch)
    {
        var used = 0;
        while (true)
        {
            MuxStream? stream;
            bool data;
            lock (_writeLock)
            {
                if (_sessionFrames.Count > 0 && batch.Length - used >= FrameHeader.Size)
                {
                    _sessionFrames.Dequeue().Write(batch[used..]);
                    used += FrameHeader.Size;
                    continue;
                }

                if ((_writerClosing && !_flushControlOnClose) || batch.Length - used < StreamTurnReserve)
                {
                    return used;
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
                    return used;
                }
            }

            used += stream.WriteFrames(batch[used..], data);
        }
    }
}
