using System.Buffers;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

internal sealed partial class MuxSession
{
    private const int ReadBufferSize = 64 * 1024;

    // Frame being received: its payload may span many transport reads, so it is handed to the
    // stream piece by piece and never held whole (a frame is at most a window, up to 16 MiB).
    private MuxStream? _payloadTarget;
    private long _payloadRemaining;
    private FrameFlags _payloadFlags;
    private bool _payloadSmall;
    private long _lastReceived = Now;

    // Streams whose readers wake inline once the current transport read is handled (read loop only).
    private readonly List<MuxStream> _readerWakes = [];

    /// <summary>Read loop: the stream has new bytes or its end for its reader.</summary>
    /// <remarks>
    /// A stream that asks for inline wake-ups (<see cref="MuxStream.InlineWakeups"/>), got a
    /// frame of at most <see cref="SmallMessage"/> and has no more than that to read is woken on
    /// this thread after the whole transport
    /// read is handled, so its reader (a pump sending to a socket) runs without a thread-pool hop
    /// and sees every frame of that read at once. No lock is held then, and the loop never
    /// resumes on a captured context, so nothing it runs inline can deadlock it.
    /// </remarks>
    internal void WakeReader(MuxStream stream)
    {
        if (!stream.InlineWakeups || !_payloadSmall || stream.BufferedForReader > SmallMessage)
        {
            stream.SignalReader();
        }
        else if (!stream.InReaderWakes)
        {
            stream.InReaderWakes = true;
            _readerWakes.Add(stream);
        }
    }

    /// <summary>Runs the deferred inline wake-ups; the woken readers run before this returns, with no lock held.</summary>
    private void RunReaderWakes()
    {
        // A woken reader cannot add to the list: only this loop does, and it is here.
        foreach (var stream in _readerWakes)
        {
            stream.InReaderWakes = false;
            stream.SignalReaderInline();
        }

        _readerWakes.Clear();
    }

    private async Task ReadLoopAsync()
    {
        byte[]? buffer = null;
        int start = 0, end = 0;
        try
        {
            while (_closeReason is null)
            {
                if (start == end)
                {
                    // Idle costs nothing: wait for data with a zero-byte read, then rent.
                    start = end = 0;
                    if (buffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }

                    _ = await _transport.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
                }
                else if (end == buffer!.Length)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                var read = await _transport.ReadAsync(buffer.AsMemory(end)).ConfigureAwait(false);
                if (read == 0)
                {
                    Close(_payloadRemaining > 0 || end > start ? "transport closed in the middle of a frame" : "transport closed", null);
                    return;
                }

                end += read;
                Interlocked.Exchange(ref _lastReceived, Now);
                var more = ProcessFrames(buffer, ref start, end);
                RunReaderWakes();
                if (!more)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
            MuxLog.TransportError(_logger, ex);
            Close("transport closed: " + ex.Message, null);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            OnLoopExited();
        }
    }

    /// <summary>Handles every complete header and payload piece in buffer[start..end); false once the session ended.</summary>
    private bool ProcessFrames(byte[] buffer, ref int start, int end)
    {
        while (_closeReason is null)
        {
            if (_payloadRemaining > 0)
            {
                var take = (int)Math.Min(_payloadRemaining, end - start);
                if (take == 0)
                {
                    return true;
                }

                _payloadTarget?.OnPayload(buffer.AsSpan(start, take));
                start += take;
                _payloadRemaining -= take;
                if (_payloadRemaining == 0)
                {
                    _payloadTarget?.OnFrameEnd(_payloadFlags);
                    _payloadTarget = null;
                }

                continue;
            }

            var status = FrameHeader.TryParse(buffer.AsSpan(start, end - start), out var header);
            switch (status)
            {
                case FrameParseStatus.Incomplete:
                    return true;
                case FrameParseStatus.UnsupportedVersion:
                    ProtocolError("unsupported protocol version " + buffer[start]);
                    return false;
                case FrameParseStatus.UnknownType:
                    ProtocolError("unknown frame type " + buffer[start + 1]);
                    return false;
            }

            start += FrameHeader.Size;
            if (!HandleFrame(header))
            {
                return false;
            }
        }

        return false;
    }

    private bool HandleFrame(in FrameHeader header)
    {
        switch (header.Type)
        {
            case FrameType.Ping:
                return HandlePing(header);
            case FrameType.GoAway:
                return HandleGoAway(header);
            default:
                return HandleStreamFrame(header);
        }
    }

    private bool HandlePing(in FrameHeader header)
    {
        if (header.StreamId != 0)
        {
            ProtocolError("ping on stream " + header.StreamId + " (pings belong to stream 0)");
            return false;
        }

        if (header.HasFlag(FrameFlags.Syn))
        {
            return EnqueueSessionFrame(new FrameHeader(FrameType.Ping, FrameFlags.Ack, 0, header.Length));
        }

        if (header.HasFlag(FrameFlags.Ack))
        {
            OnPong(header.Length);
        }

        return true;
    }

    private bool HandleGoAway(in FrameHeader header)
    {
        var code = (GoAwayCode)header.Length;
        var name = code switch
        {
            GoAwayCode.Normal => "normal",
            GoAwayCode.ProtocolError => "protocol error",
            GoAwayCode.InternalError => "internal error",
            _ => "code " + header.Length,
        };
        MuxLog.RemoteGoAway(_logger, name);
        _remoteGoAway = true;
        if (code != GoAwayCode.Normal)
        {
            Close("remote go-away (" + name + ")", null);
            return false;
        }

        return true;
    }

    private bool HandleStreamFrame(in FrameHeader header)
    {
        var id = header.StreamId;
        if (id == 0)
        {
            ProtocolError(header.Type + " frame on stream 0");
            return false;
        }

        if (header.Type == FrameType.Data && header.Length > _options.MaxStreamWindow)
        {
            ProtocolError("data frame of " + header.Length + " bytes is larger than the largest window (" + _options.MaxStreamWindow + ")");
            return false;
        }

        MuxStream? stream;
        if (header.HasFlag(FrameFlags.Syn))
        {
            if (!TryOpenRemoteStream(id, out stream))
            {
                return false;
            }
        }
        else
        {
            lock (_streamsLock)
            {
                _streams.TryGetValue(id, out stream);
            }

            if (stream is null)
            {
                var neverOpened = IsOurs(id) ? id >= _nextStreamId : id > _highestRemoteId;
                if (neverOpened)
                {
                    ProtocolError(header.Type + " frame for stream " + header.StreamId + ", which was never opened");
                    return false;
                }

                // Frames still in flight after a reset or close: drain them, nothing else.
                MuxLog.StaleFrame(_logger, header.Type.ToString(), id, header.Length);
                BeginPayload(header, null);
                return true;
            }
        }

        if (stream is null)
        {
            // A refused SYN: drain its payload.
            BeginPayload(header, null);
            return true;
        }

        if (header.HasFlag(FrameFlags.Ack))
        {
            stream.OnAck();
        }

        if (header.Type == FrameType.WindowUpdate)
        {
            stream.OnWindowUpdate(header.Length);
            stream.OnFrameEnd(header.Flags);
            return true;
        }

        BeginPayload(header, stream.OnDataHeader(header.Length) ? stream : null);
        if (_payloadRemaining == 0)
        {
            stream.OnFrameEnd(header.Flags);
        }

        return true;
    }

    private void BeginPayload(in FrameHeader header, MuxStream? target)
    {
        if (header.Type != FrameType.Data || header.Length == 0)
        {
            return;
        }

        _payloadTarget = target;
        _payloadRemaining = header.Length;
        _payloadFlags = header.Flags;
        _payloadSmall = header.Length <= SmallMessage;
    }
}
