using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// The master link's receive side, without I/O: one buffer for the link's life (one link per
/// gateway), receives of up to its free space, frames parsed in place and routed in arrival
/// order. A read carries hundreds of packets, and every client that got some is flushed once
/// per read. Both engines receive into it (MasterLink's loop, <see cref="MasterPump"/>).
/// </summary>
internal sealed class MasterInbox
{
    /// <summary>One per link, many reads' worth of small packets.</summary>
    private const int ReceiveBufferSize = 256 * 1024;

    private readonly FirehoseService _service;
    private readonly int _maxFrame;
    private byte[] _buffer = new byte[ReceiveBufferSize];
    private int _start;
    private int _end;
    private int _frameSize;

    public MasterInbox(FirehoseService service)
    {
        _service = service;

        // A broadcast may name up to 65,536 ids (8 bytes each) besides its message.
        _maxFrame = checked(service.MaxMessage + TaggedPacket.HeaderSize + 4 + (8 * 65536));
    }

    /// <summary>Where to receive next: room for at least the pending frame, or a quarter buffer.</summary>
    public Memory<byte> Space()
    {
        if (_frameSize > _buffer.Length)
        {
            // A frame larger than the buffer (a big message or broadcast): a buffer its size, kept.
            var bigger = new byte[_frameSize];
            _buffer.AsSpan(_start, _end - _start).CopyTo(bigger);
            (_buffer, _end, _start) = (bigger, _end - _start, 0);
        }
        else if (_end == _buffer.Length || _start + Math.Max(_frameSize, ReceiveBufferSize / 4) > _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            (_end, _start) = (_end - _start, 0);
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>
    /// <paramref name="count"/> bytes arrived in <see cref="Space"/>: routes every complete packet.
    /// Returns why the link must close on a protocol error, else null.
    /// </summary>
    public string? Received(int count)
    {
        _end += count;
        FrameReadResult result;
        int length;
        while ((result = Framing.TryReadFrame(_buffer.AsSpan(_start, _end - _start), _maxFrame, out length)) == FrameReadResult.Frame)
        {
            var payload = _buffer.AsMemory(_start + Framing.HeaderSize, length);
            if (!TaggedPacket.TryParseHeader(payload.Span, out var id, out var flags))
            {
                _service.FlushDeliveries();
                return "master sent a frame shorter than the 9-byte tag";
            }

            _service.FromMaster(id, flags, payload[TaggedPacket.HeaderSize..]);
            _start += Framing.HeaderSize + length;
        }

        _service.FlushDeliveries();
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (result == FrameReadResult.TooLarge)
        {
            return "master sent a frame above the size cap";
        }

        _frameSize = Framing.HeaderSize + Math.Max(0, length);
        return null;
    }
}
