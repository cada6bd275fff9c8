using System.Diagnostics;
using System.Threading.Channels;

namespace Sluice.Tests.Multiplexing;

/// <summary>
/// Wraps one end of an in-memory connection so what it writes arrives <c>delay</c> later, like a
/// long path: bandwidth stays high, the round trip grows, and a small window becomes the limit.
/// </summary>
internal sealed class DelayedStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _delay;
    private readonly Channel<(long Due, byte[] Data)> _inFlight = Channel.CreateUnbounded<(long, byte[])>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    public DelayedStream(Stream inner, TimeSpan delay)
    {
        _inner = inner;
        _delay = delay;
        _pump = Task.Run(PumpAsync);
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_inFlight.Writer.TryWrite((Stopwatch.GetTimestamp() + (long)(_delay.TotalSeconds * Stopwatch.Frequency), buffer.ToArray())))
        {
            throw new IOException("The delayed stream is closed.");
        }

        return ValueTask.CompletedTask;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inFlight.Writer.TryComplete();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var (due, data) in _inFlight.Reader.ReadAllAsync())
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                await _inner.WriteAsync(data);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }
}
