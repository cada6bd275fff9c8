using System.Buffers;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tests.Tunnels;

public sealed class StreamHeaderTests
{
    [Fact]
    public void A_forward_header_has_the_documented_bytes_and_round_trips()
    {
        var bytes = StreamHeader.Forward("db", 5432).ToArray();
        Assert.Equal(new byte[] { 6, 0x02, 2, (byte)'d', (byte)'b', 0x15, 0x38 }, bytes);
        Assert.Equal(ParseStatus.Done, StreamHeader.TryRead(new ReadOnlySequence<byte>(bytes), out var header, out _, out _));
        Assert.Equal(StreamHeader.Forward("db", 5432), header);
    }

    [Fact]
    public void The_header_parser_stops_exactly_at_its_end_leaving_the_data()
    {
        var header = StreamHeader.Reverse("redis").ToArray();
        var bytes = header.Concat("*1\r\n$4\r\nPING\r\n"u8.ToArray()).ToArray();
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(ParseStatus.Done, StreamHeader.TryRead(sequence, out var parsed, out var consumed, out _));
        Assert.Equal("redis", parsed.Target);
        Assert.Equal("*1\r\n$4\r\nPING\r\n"u8.ToArray(), sequence.Slice(consumed).ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0 }, "too short")]
    [InlineData(new byte[] { 1, 0x02 }, "malformed forward")]
    [InlineData(new byte[] { 2, 0x09, 0 }, "unknown stream kind")]
    [InlineData(new byte[] { 2, 0x01, 0 }, "malformed reverse")]
    [InlineData(new byte[] { 5, 0x02, 1, (byte)'a', 0, 0 }, "malformed forward")] // port 0
    [InlineData(new byte[] { 4, 0x01, 1, (byte)'a', 7 }, "beyond its fields")]
    public void Bad_headers_are_invalid(byte[] bytes, string reason)
    {
        Assert.Equal(ParseStatus.Invalid, StreamHeader.TryRead(new ReadOnlySequence<byte>(bytes), out _, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forward_reply_round_trips_and_prefixes_are_incomplete()
    {
        var bytes = new ForwardReply(ForwardStatus.NotAllowed, "10.1.2.3:22 is not in allow_forward").ToArray();
        for (var i = 0; i < bytes.Length; i++)
        {
            Assert.Equal(ParseStatus.Incomplete, ForwardReply.TryRead(new ReadOnlySequence<byte>(bytes, 0, i), out _, out _, out _));
        }

        Assert.Equal(ParseStatus.Done, ForwardReply.TryRead(new ReadOnlySequence<byte>(bytes), out var reply, out _, out _));
        Assert.Equal(ForwardStatus.NotAllowed, reply.Status);
        Assert.Equal("10.1.2.3:22 is not in allow_forward", reply.Reason);
    }
}
