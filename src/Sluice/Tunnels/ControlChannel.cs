using System.Buffers;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

/// <summary>
/// Control messages over the control stream: reads take exactly one message (header, then at most
/// <see cref="ControlCodec.MaxPayload"/> bytes, so a liar cannot make us buffer more), writes are
/// serialized so heartbeats and answers never interleave. It lives as long as its multiplexed
/// session, whose end closes the stream; so it owns nothing to dispose of.
/// </summary>
internal sealed class ControlChannel
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _header = new byte[ControlCodec.HeaderLength];

    public ControlChannel(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>The next message; <see cref="ControlProtocolException"/> when malformed, <see cref="EndOfStreamException"/> when the peer closed.</summary>
    public async ValueTask<ControlMessage> ReadAsync(CancellationToken cancellationToken)
    {
        await _stream.ReadExactlyAsync(_header, cancellationToken);
        if (ControlCodec.PayloadLength(_header, out var error) is not { } length)
        {
            throw new ControlProtocolException(error!);
        }

        var payload = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            await _stream.ReadExactlyAsync(payload.AsMemory(0, length), cancellationToken);
            return ControlCodec.ReadPayload((ControlMessageType)_header[0], new ReadOnlySequence<byte>(payload, 0, length), out error)
                ?? throw new ControlProtocolException(error!);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>Reads a message that must be of type <typeparamref name="T"/>; an <see cref="ErrorMessage"/> instead becomes <see cref="ControlErrorException"/>.</summary>
    public async ValueTask<T> ReadExpectedAsync<T>(CancellationToken cancellationToken)
        where T : ControlMessage
    {
        var message = await ReadAsync(cancellationToken);
        return message switch
        {
            T expected => expected,
            ErrorMessage error => throw new ControlErrorException(error),
            _ => throw new ControlProtocolException($"expected {typeof(T).Name.Replace("Message", string.Empty, StringComparison.Ordinal)}, got {message.Type}"),
        };
    }

    public async ValueTask WriteAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        ControlCodec.Write(message, writer);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(writer.WrittenMemory, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Best effort: tell the peer why before closing; never throws.</summary>
    public async ValueTask TrySendErrorAsync(ControlErrorCode code, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await WriteAsync(new ErrorMessage(code, reason), timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
