using System.Buffers;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

/// <summary>Reads the length-prefixed preambles of a data stream exactly, never a byte of the data behind them.</summary>
internal static class StreamPreamble
{
    /// <summary>How long the receiving side of a new data stream waits for its header (server and agent alike).</summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    public static async ValueTask<StreamHeader> ReadHeaderAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = await ReadPrefixedAsync(stream, cancellationToken);
        return StreamHeader.TryRead(new ReadOnlySequence<byte>(bytes), out var header, out _, out var error) == ParseStatus.Done
            ? header
            : throw new ControlProtocolException(error ?? "malformed stream header");
    }

    public static async ValueTask<ForwardReply> ReadForwardReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = await ReadPrefixedAsync(stream, cancellationToken);
        return ForwardReply.TryRead(new ReadOnlySequence<byte>(bytes), out var reply, out _, out var error) == ParseStatus.Done
            ? reply
            : throw new ControlProtocolException(error ?? "malformed forward reply");
    }

    /// <summary>A u8 length and that many bytes (at most 256 in all: the cap is the format).</summary>
    private static async ValueTask<byte[]> ReadPrefixedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var length = new byte[1];
        await stream.ReadExactlyAsync(length, cancellationToken);
        var bytes = new byte[1 + length[0]];
        bytes[0] = length[0];
        await stream.ReadExactlyAsync(bytes.AsMemory(1), cancellationToken);
        return bytes;
    }
}
