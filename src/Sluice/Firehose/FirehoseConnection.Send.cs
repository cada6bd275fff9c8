using System.Buffers;
using Sluice.Forwarding.Epoll;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// Master → client with the epoll engine. The master link's receive loop, after routing a read,
/// sends each client's new messages straight from the session queue with a non-blocking send;
/// what the client does not take stays queued, and the connection's loop sends it on EPOLLOUT.
/// While that is pending the master thread only queues, so messages keep their order. The
/// queue's reader is used under <see cref="_sendLock"/> alone, by one thread at a time.
/// </summary>
internal sealed unsafe partial class FirehoseConnection
{
    private readonly Lock _sendLock = new();

    /// <summary>The descriptor is closed or about to be: no send may touch it. Guarded by <see cref="_sendLock"/>.</summary>
    private bool _fdClosed;

    /// <summary>The client took less than was queued: only the loop sends, on EPOLLOUT.</summary>
    private volatile bool _writeBlocked;

    /// <summary>Bytes of a frame partly sent that are still to go (0 at a frame boundary).</summary>
    private int _frameLeft;
    private int _framePayload;

    /// <summary>The session queued messages for this connection (master link thread, after a read's routing).</summary>
    public void OnQueued()
    {
        if (_loop is not null && !SendQueued(onLoop: false))
        {
            Abort(CloseReasons.Error);
        }
    }

    /// <summary>
    /// Sends what the session has queued, as far as the socket takes it. False when a send failed:
    /// that batch is lost, as with the sockets engine (it may have partly reached the client,
    /// and the protocol has no acknowledgements to tell), and the connection must close.
    /// </summary>
    private bool SendQueued(bool onLoop)
    {
        if (_session is not { } session)
        {
            return true;
        }

        var blocked = false;
        lock (_sendLock)
        {
            if (_fdClosed || !_established || (_writeBlocked && !onLoop))
            {
                return true;
            }

            var reader = session.QueueReader;
            while (!blocked && reader.TryRead(out var result))
            {
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    // Left over from a session close or an earlier connection's stop: not meant for this one.
                    reader.AdvanceTo(buffer.Start);
                    continue;
                }

                if (buffer.IsEmpty)
                {
                    reader.AdvanceTo(buffer.Start);
                    break;
                }

                long sent = 0;
                var failed = false;
                foreach (var segment in buffer)
                {
                    var written = SendSome(segment.Span);
                    if (written < 0)
                    {
                        failed = true;
                        break;
                    }

                    sent += written;
                    if (written < segment.Length)
                    {
                        blocked = true;
                        break;
                    }
                }

                var (frames, bytes) = CountSent(buffer, failed ? buffer.Length : sent);
                session.Sent(frames);
                _service.Counters.AddOut(frames, bytes);
                if (failed)
                {
                    reader.AdvanceTo(buffer.End);
                    _frameLeft = 0;
                    return false;
                }

                // Examined only as far as consumed: marking the rest examined would make TryRead
                // report nothing until the next flush, and a client whose backlog is all queued
                // already would never get it.
                reader.AdvanceTo(buffer.GetPosition(sent));
            }

            if (_writeBlocked == blocked)
            {
                return true;
            }

            _writeBlocked = blocked;
        }

        // The master thread asks the loop to watch EPOLLOUT; on the loop, the caller updates the watch.
        if (!onLoop)
        {
            _loop!.Post(this);
        }

        return true;
    }

    /// <summary>Frames completed by sending <paramref name="sent"/> more bytes from the front of <paramref name="buffer"/>.</summary>
    private (int Frames, long Bytes) CountSent(in ReadOnlySequence<byte> buffer, long sent)
    {
        var frames = 0;
        long bytes = 0;
        var reader = new SequenceReader<byte>(buffer);
        while (reader.Consumed < sent)
        {
            if (_frameLeft == 0)
            {
                // The queue holds whole frames only, so a prefix is always there to read.
                reader.TryReadLittleEndian(out int length);
                reader.Rewind(Framing.HeaderSize);
                _framePayload = length;
                _frameLeft = Framing.HeaderSize + length;
            }

            var take = (int)Math.Min(_frameLeft, sent - reader.Consumed);
            reader.Advance(take);
            _frameLeft -= take;
            if (_frameLeft == 0)
            {
                frames++;
                bytes += _framePayload;
            }
        }

        return (frames, bytes);
    }

    /// <summary>
    /// Stops every later send (loop thread, before the descriptor closes). A frame cut off by the
    /// close is dropped from the queue: the next connection of the session starts at a frame boundary.
    /// </summary>
    private void FenceSends()
    {
        lock (_sendLock)
        {
            _fdClosed = true;
            if (_frameLeft > 0 && _session is { } session && session.QueueReader.TryRead(out var result))
            {
                session.QueueReader.AdvanceTo(result.Buffer.GetPosition(Math.Min(_frameLeft, result.Buffer.Length)));
                session.Sent(1);
                _frameLeft = 0;
            }
        }
    }

    /// <summary>Writes as much as the socket takes now: the count written, or -1 on error.</summary>
    private int SendSome(ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            return (int)LibC.SendAvailable(_fd, start, data.Length);
        }
    }
}
