using Sluice.Tunnels.Inspection;

namespace Sluice.Tunnels.Http;

/// <summary>
/// A request or response body on its way through the edge: counts every byte and, for the
/// inspector, keeps the first <c>capture</c> bytes. The body itself is streamed, never held.
/// </summary>
internal sealed class BodyTap : Stream
{
    private readonly Stream _inner;
    private readonly BodyCapture? _capture;

    public BodyTap(Stream inner, int capture)
    {
        _inner = inner;
        _capture = capture > 0 ? new BodyCapture(capture) : null;
    }

    public long Count { get; private set; }

    /// <summary>More bytes passed than were kept.</summary>
    public bool Truncated => _capture?.Truncated ?? Count > 0;

    public byte[] Captured => _capture?.ToArray() ?? [];

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        Observe(buffer.Span[..read]);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        Observe(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken);
        Observe(buffer.Span);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        Count += bytes.Length;
        _capture?.Append(bytes);
    }
}
