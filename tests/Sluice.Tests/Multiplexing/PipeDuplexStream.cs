using System.Buffers;
using System.IO.Pipelines;

namespace Sluice.Tests.Multiplexing;

/// <summary>
/// One end of an in-memory connection: reads what the other end writes. Supports zero-byte
/// reads (wait for data, take none), reports EOF when the other end is disposed, and disposing
/// ends a pending read — the properties of a socket the session relies on.
/// </summary>
internal sealed class PipeDuplexStream : Stream
{
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private int _disposed;
    private int _reading;

    private PipeDuplexStream(PipeReader reader, PipeWriter writer)
    {
        _reader = reader;
        _writer = writer;
    }

    /// <summary>Two connected ends; each direction buffers up to <paramref name="pauseBytes"/> before writes wait.</summary>
    public static (PipeDuplexStream A, PipeDuplexStream B) CreatePair(long pauseBytes = 1024 * 1024)
    {
        var options = new PipeOptions(pauseWriterThreshold: pauseBytes, resumeWriterThreshold: pauseBytes / 2, useSynchronizationContext: false);
        var aToB = new Pipe(options);
        var bToA = new Pipe(options);
        return (new PipeDuplexStream(bToA.Reader, aToB.Writer), new PipeDuplexStream(aToB.Reader, bToA.Writer));
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

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Interlocked.Exchange(ref _reading, 1);
        try
        {
            var result = await _reader.ReadAsync(cancellationToken);
            if (result.IsCanceled || _disposed != 0)
            {
                throw new ObjectDisposedException(nameof(PipeDuplexStream));
            }

            var data = result.Buffer;
            if (data.IsEmpty && result.IsCompleted)
            {
                _reader.AdvanceTo(data.End);
                return 0;
            }

            var n = (int)Math.Min(buffer.Length, data.Length);
            data.Slice(0, n).CopyTo(buffer.Span);
            _reader.AdvanceTo(data.GetPosition(n));
            return n;
        }
        finally
        {
            Interlocked.Exchange(ref _reading, 0);
            if (_disposed != 0)
            {
                _reader.Complete();
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var result = await _writer.WriteAsync(buffer, cancellationToken);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException("The other end is closed.");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _writer.CancelPendingFlush();
            _writer.Complete();
            _reader.CancelPendingRead();
            if (Volatile.Read(ref _reading) == 0)
            {
                try
                {
                    _reader.Complete();
                }
                catch (InvalidOperationException)
                {
                }
            }
        }

        base.Dispose(disposing);
    }
}
