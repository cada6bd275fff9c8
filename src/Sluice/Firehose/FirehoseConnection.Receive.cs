using System.Buffers;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// The client's receive buffer: a pooled array held only while bytes are in it. Reads wait for
/// data with a zero-byte receive when no buffer is held, so an idle client holds none; a read
/// that ends inside a frame keeps the buffer (the rest is on its way) and grows it to the
/// frame's size when the frame is larger. Frames are parsed straight from it into the master
/// outbox: no pipe and no copy but the one into the batch.
/// </summary>
internal sealed partial class FirehoseConnection
{
    /// <summary>Room for many small frames per receive; a larger frame gets a buffer of its own size.</summary>
    private const int ReceiveBufferSize = 16 * 1024;

    private byte[]? _receive;
    private int _start;
    private int _end;

    /// <summary>Bytes received and not yet consumed.</summary>
    private ReadOnlySpan<byte> Received => _receive is null ? default : _receive.AsSpan(_start, _end - _start);

    /// <summary>
    /// Free space after the received bytes, at least enough to complete a frame of
    /// <paramref name="frameSize"/> bytes (prefix included) that starts at the first unconsumed byte.
    /// </summary>
    private Memory<byte> ReceiveSpace(int frameSize)
    {
        var size = Math.Max(ReceiveBufferSize, frameSize);
        if (_receive is null)
        {
            _receive = ArrayPool<byte>.Shared.Rent(size);
            _start = _end = 0;
        }
        else if (_receive.Length < size)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(size);
            Received.CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_receive);
            _receive = bigger;
            _end -= _start;
            _start = 0;
        }
        else if (_end == _receive.Length || _start + Math.Max(frameSize, Framing.HeaderSize) > _receive.Length)
        {
            Received.CopyTo(_receive);
            _end -= _start;
            _start = 0;
        }

        return _receive.AsMemory(_end);
    }

    /// <summary>Consumes <paramref name="count"/> bytes; the buffer goes back to the pool once none are left.</summary>
    private void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            ReleaseReceiveBuffer();
        }
    }

    private void ReleaseReceiveBuffer()
    {
        if (_receive is { } buffer)
        {
            _receive = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _start = _end = 0;
    }
}
