using System.Buffers;

namespace Sluice.Protocols.Firehose;

/// <summary>A growable buffer on ArrayPool arrays; holds no array while empty after <see cref="Reset"/>.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumSize = 16 * 1024;
    private byte[]? _array;
    private int _length;

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _array is null ? default : _array.AsMemory(0, _length);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_length);
    }

    /// <summary>Empties the buffer, keeping its array for the next batch.</summary>
    public void Clear() => _length = 0;

    /// <summary>Empties the buffer and gives its array back to the pool.</summary>
    public void Reset()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }

        _length = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (_array is not null && needed <= _array.Length)
        {
            return;
        }

        var size = Math.Max(MinimumSize, _array is null ? needed : Math.Max(needed, _array.Length * 2));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        if (_array is not null)
        {
            _array.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = bigger;
    }
}
