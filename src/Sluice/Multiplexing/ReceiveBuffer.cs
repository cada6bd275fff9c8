namespace Sluice.Multiplexing;

/// <summary>
/// A stream's received, unread bytes: pooled segments, oldest first. Empty, it holds no array, so
/// an idle stream costs no buffer. Not thread-safe; the owning stream locks.
/// </summary>
internal sealed class ReceiveBuffer
{
    // Full segments waiting to be read (array, bytes in it); _headOffset is the read position in
    // the first. The tail is the segment being filled, read from directly once the queue is empty.
    private Queue<(byte[] Array, int Count)>? _full;
    private int _headOffset;
    private byte[]? _tail;
    private int _tailStart;
    private int _tailEnd;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_tail is null || _tailEnd == _tail.Length)
            {
                if (_tail is not null)
                {
                    (_full ??= new Queue<(byte[], int)>()).Enqueue((_tail, _tailEnd));
                    if (_full.Count == 1)
                    {
                        _headOffset = _tailStart;
                    }
                }

                // A small message into an empty buffer takes a small segment; bulk data, or data
                // the reader is already behind on, fills large ones.
                var size = Length == 0 && data.Length <= ReceiveSegmentPool.SmallSegment ? ReceiveSegmentPool.SmallSegment : ReceiveSegmentPool.LargeSegment;
                _tail = ReceiveSegmentPool.Shared.Rent(size);
                _tailStart = 0;
                _tailEnd = 0;
            }

            var n = Math.Min(data.Length, _tail.Length - _tailEnd);
            data[..n].CopyTo(_tail.AsSpan(_tailEnd));
            _tailEnd += n;
            Length += n;
            data = data[n..];
        }
    }

    /// <summary>Copies up to <paramref name="destination"/>'s length out, oldest first.</summary>
    public int Read(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && Length > 0)
        {
            if (_full is { Count: > 0 })
            {
                var (array, count) = _full.Peek();
                var n = Math.Min(destination.Length - copied, count - _headOffset);
                array.AsSpan(_headOffset, n).CopyTo(destination[copied..]);
                _headOffset += n;
                copied += n;
                Length -= n;
                if (_headOffset == count)
                {
                    ReceiveSegmentPool.Shared.Return(_full.Dequeue().Array);
                    _headOffset = 0;
                }
            }
            else
            {
                var n = Math.Min(destination.Length - copied, _tailEnd - _tailStart);
                _tail.AsSpan(_tailStart, n).CopyTo(destination[copied..]);
                _tailStart += n;
                copied += n;
                Length -= n;
                if (_tailStart == _tailEnd)
                {
                    ReceiveSegmentPool.Shared.Return(_tail!);
                    _tail = null;
                    _tailStart = 0;
                    _tailEnd = 0;
                }
            }
        }

        return copied;
    }

    /// <summary>Returns every segment to the pool and drops the bytes; returns how many.</summary>
    public long Clear()
    {
        var dropped = Length;
        while (_full is { Count: > 0 })
        {
            ReceiveSegmentPool.Shared.Return(_full.Dequeue().Array);
        }

        if (_tail is not null)
        {
            ReceiveSegmentPool.Shared.Return(_tail);
            _tail = null;
        }

        _headOffset = 0;
        _tailStart = 0;
        _tailEnd = 0;
        Length = 0;
        return dropped;
    }
}
