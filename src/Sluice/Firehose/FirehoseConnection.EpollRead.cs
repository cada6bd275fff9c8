using Sluice.Forwarding.Epoll;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// Client → master with the epoll engine: reads on the connection's loop into the loop's shared
/// buffer, complete frames straight into the master outbox, and the pause while the outbox is full.
/// </summary>
internal sealed unsafe partial class FirehoseConnection
{
    /// <summary>Reads until the socket is drained, the outbox is full or a few reads went by; false once closed.</summary>
    private bool Read()
    {
        for (var round = 0; round < ReadsPerEvent; round++)
        {
            var fromLoopBuffer = _receive is null;
            nint read;
            int room;
            if (fromLoopBuffer)
            {
                room = EpollLoop.BufferSize;
                read = LibC.ReceiveAvailable(_fd, _loop!.Buffer, room);
            }
            else
            {
                var space = ReceiveSpace(_frameSize).Span;
                room = space.Length;
                fixed (byte* into = space)
                {
                    read = LibC.ReceiveAvailable(_fd, into, room);
                }
            }

            if (read == LibC.WouldBlock)
            {
                return true;
            }

            if (read < 0)
            {
                Finish(_closeReason ?? CloseReasons.Eof);
                return false;
            }

            if (read == 0)
            {
                Finish(Received.IsEmpty ? CloseReasons.Eof : CloseReasons.Truncated);
                return false;
            }

            if (!fromLoopBuffer)
            {
                _end += (int)read;
            }

            if (!Route((int)read, fromLoopBuffer))
            {
                return false;
            }

            if (_readPaused || read < room)
            {
                return true;
            }
        }

        return true;
    }

    /// <summary>
    /// Moves the complete frames just read into the outbox. Read into the loop's buffer (the
    /// <paramref name="read"/> bytes at its start), an incomplete frame's bytes are kept in a
    /// pooled buffer of the connection; read into that buffer (already counted in), its consumed
    /// part is released. False once the connection is closed (frame too large).
    /// </summary>
    private bool Route(int read, bool fromLoopBuffer)
    {
        var outbox = _service.Master.Outbox;
        FrameReadResult result;
        int pending;
        int frames;
        long bytes;
        bool full;
        if (fromLoopBuffer)
        {
            var data = new ReadOnlySpan<byte>(_loop!.Buffer, read);
            (result, pending, frames, bytes, var consumed) = ToOutbox(data, outbox, _session!.Id, _service.MaxMessage, out full);
            _frameSize = result == FrameReadResult.Incomplete ? Framing.HeaderSize + Math.Max(0, pending) : 0;
            if (consumed < read && result == FrameReadResult.Incomplete)
            {
                var rest = data[consumed..];
                rest.CopyTo(ReceiveSpace(Math.Max(_frameSize, rest.Length)).Span);
                _end += rest.Length;
            }
        }
        else
        {
            (result, pending, frames, bytes, var consumed) = ToOutbox(Received, outbox, _session!.Id, _service.MaxMessage, out full);
            Consume(consumed);
            _frameSize = result == FrameReadResult.Incomplete ? Framing.HeaderSize + Math.Max(0, pending) : 0;
        }

        if (frames > 0)
        {
            _service.Counters.AddIn(frames, bytes);
        }

        if (result == FrameReadResult.TooLarge)
        {
            Finish(CloseReasons.TooLarge);
            return false;
        }

        if (full)
        {
            _readPaused = true;
            PauseOrResume();
        }

        return true;
    }

    /// <summary>Reading is paused for a full outbox: resume if it has room now, else be posted when it has.</summary>
    private void PauseOrResume()
    {
        var space = _service.Master.Outbox.WaitForSpaceAsync();
        if (space.IsCompleted)
        {
            _readPaused = false;
            return;
        }

        _spaceWaitPending = true;
        space.ContinueWith(
            static (_, state) =>
            {
                var connection = (FirehoseConnection)state!;
                connection._spaceWaitPending = false;
                connection._loop!.Post(connection);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
