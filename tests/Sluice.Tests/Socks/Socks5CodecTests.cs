using System.Buffers;
using System.Net;
using Sluice.Protocols.Socks;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tests.Socks;

public sealed class Socks5CodecTests
{
    [Fact]
    public void Greeting_lists_the_offered_methods()
    {
        var bytes = new byte[] { 0x05, 0x02, 0x00, 0x02 };
        Assert.Equal(ParseStatus.Done, Socks5Codec.TryReadGreeting(new ReadOnlySequence<byte>(bytes), out var greeting, out var consumed, out _));
        Assert.True(greeting.Offers(Socks5Method.NoAuthentication));
        Assert.True(greeting.Offers(Socks5Method.UsernamePassword));
        Assert.Equal(4, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0x01, 0x00 }, "not SOCKS5")]
    [InlineData(new byte[] { 0x05, 0x00 }, "no methods")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 }, "not SOCKS5")] // a TLS ClientHello
    public void Bad_greetings_are_invalid(byte[] bytes, string reason)
    {
        Assert.Equal(ParseStatus.Invalid, Socks5Codec.TryReadGreeting(new ReadOnlySequence<byte>(bytes), out _, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_greeting_is_incomplete()
    {
        Assert.Equal(ParseStatus.Incomplete, Socks5Codec.TryReadGreeting(new ReadOnlySequence<byte>(new byte[] { 0x05, 0x03, 0x00 }), out _, out _, out _));
    }

    [Fact]
    public void Username_password_request_parses_per_rfc1929()
    {
        var bytes = new byte[] { 0x01, 0x03, (byte)'b', (byte)'o', (byte)'b', 0x02, (byte)'p', (byte)'w' };
        Assert.Equal(ParseStatus.Done, Socks5Codec.TryReadCredentials(new ReadOnlySequence<byte>(bytes), out var credentials, out _, out _));
        Assert.Equal(new Socks5Credentials("bob", "pw"), credentials);
        Assert.Equal(ParseStatus.Incomplete, Socks5Codec.TryReadCredentials(new ReadOnlySequence<byte>(bytes, 0, 6), out _, out _, out _));
        Assert.Equal(ParseStatus.Invalid, Socks5Codec.TryReadCredentials(new ReadOnlySequence<byte>(new byte[] { 0x05, 0, 0 }), out _, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x1F, 0x90 }, "127.0.0.1", 8080)]
    [InlineData(new byte[] { 0x05, 0x01, 0x00, 0x03, 9, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', (byte)'h', (byte)'o', (byte)'s', (byte)'t', 0x00, 0x50 }, "localhost", 80)]
    [InlineData(new byte[] { 0x05, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x01, 0xBB }, "::1", 443)]
    public void Connect_requests_parse_for_every_address_type(byte[] bytes, string host, int port)
    {
        Assert.Equal(ParseStatus.Done, Socks5Codec.TryReadRequest(new ReadOnlySequence<byte>(bytes), out var request, out _, out _, out _));
        Assert.Equal(Socks5Command.Connect, request.Command);
        Assert.Equal(host, request.Host);
        Assert.Equal(port, request.Port);
        for (var i = 0; i < bytes.Length; i++)
        {
            Assert.Equal(ParseStatus.Incomplete, Socks5Codec.TryReadRequest(new ReadOnlySequence<byte>(bytes, 0, i), out _, out _, out _, out _));
        }
    }

    [Fact]
    public void An_unknown_address_type_is_invalid_with_reply_0x08()
    {
        var bytes = new byte[] { 0x05, 0x01, 0x00, 0x07, 1, 2 };
        Assert.Equal(ParseStatus.Invalid, Socks5Codec.TryReadRequest(new ReadOnlySequence<byte>(bytes), out _, out _, out var reply, out _));
        Assert.Equal(Socks5ReplyCode.AddressTypeNotSupported, reply);
    }

    [Fact]
    public void A_bind_request_parses_so_the_server_can_answer_command_not_supported()
    {
        var bytes = new byte[] { 0x05, 0x02, 0x00, 0x01, 10, 0, 0, 1, 0, 80 };
        Assert.Equal(ParseStatus.Done, Socks5Codec.TryReadRequest(new ReadOnlySequence<byte>(bytes), out var request, out _, out _, out _));
        Assert.Equal(Socks5Command.Bind, request.Command);
    }

    [Fact]
    public void Replies_have_the_rfc1928_layout()
    {
        var writer = new ArrayBufferWriter<byte>();
        Socks5Codec.WriteReply(writer, Socks5ReplyCode.ConnectionNotAllowed);
        Assert.Equal(new byte[] { 0x05, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0 }, writer.WrittenSpan.ToArray());

        writer.Clear();
        Socks5Codec.WriteReply(writer, Socks5ReplyCode.Succeeded, new IPEndPoint(IPAddress.Parse("10.0.0.2"), 1080));
        Assert.Equal(new byte[] { 0x05, 0x00, 0x00, 0x01, 10, 0, 0, 2, 0x04, 0x38 }, writer.WrittenSpan.ToArray());

        writer.Clear();
        Socks5Codec.WriteMethodSelection(writer, Socks5Method.NoAcceptable);
        Socks5Codec.WriteAuthStatus(writer, success: false);
        Assert.Equal(new byte[] { 0x05, 0xFF, 0x01, 0x01 }, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void The_client_side_connect_request_parses_back()
    {
        var writer = new ArrayBufferWriter<byte>();
        Socks5Codec.WriteConnectRequest(writer, "db.internal", 5432);
        Assert.Equal(ParseStatus.Done, Socks5Codec.TryReadRequest(new ReadOnlySequence<byte>(writer.WrittenMemory), out var request, out _, out _, out _));
        Assert.Equal(("db.internal", (ushort)5432, Socks5AddressType.DomainName), (request.Host, request.Port, request.AddressType));
    }
}
