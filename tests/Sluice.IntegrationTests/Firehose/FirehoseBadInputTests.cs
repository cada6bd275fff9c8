using System.Buffers.Binary;
using System.Net;
using System.Text;
using Sluice.Client;
using Sluice.Firehose;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Firehose;

/// <summary>Each misbehaving peer is closed and counted; a well-behaved client beside it keeps working.</summary>
public sealed class FirehoseBadInputTests
{
    [Fact]
    public async Task RandomBytes_InsteadOfAHandshake_CloseOnlyThatClient()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        await using var good = await bed.ConnectAsync();
        var random = new Random(1234);
        for (var i = 0; i < 20; i++)
        {
            using var bad = await RawFirehoseClient.OpenAsync(bed.EndPoint);
            var payload = new byte[random.Next(1, 200)];
            random.NextBytes(payload);
            payload[0] = (byte)random.Next(6, 256); // not a valid variant index
            var frame = new byte[4 + payload.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
            payload.CopyTo(frame, 4);
            await bad.SendRawAsync(frame);
            Assert.True(await bad.ClosedByPeerAsync(Poll.DefaultTimeout));
        }

        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.Malformed) == 20, "20 malformed closes counted");
        await AssertStillServesAsync(bed, good);
    }

    [Fact]
    public async Task WrongProtocolVersion_IsRefusedWithItsOwnReason()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        using var bad = await RawFirehoseClient.OpenAsync(bed.EndPoint);
        await bad.SendAsync(Protocols.Firehose.HandshakePacket.Version(3));
        Assert.True(await bad.ClosedByPeerAsync(Poll.DefaultTimeout));
        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.BadVersion) == 1, "bad_version counted");
    }

    [Fact]
    public async Task TruncatedFrames_DuringHandshakeAndAfter_AreCountedAndClosed()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        await using var good = await bed.ConnectAsync();

        using (var bad = await RawFirehoseClient.OpenAsync(bed.EndPoint))
        {
            await bad.SendRawAsync([10, 0, 0, 0, 1, 2]);
            bad.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.True(await bad.ClosedByPeerAsync(Poll.DefaultTimeout));
        }

        using (var bad = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint))
        {
            await bad.SendRawAsync([100, 0, 0, 0, 1, 2, 3]);
            bad.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.True(await bad.ClosedByPeerAsync(Poll.DefaultTimeout));
        }

        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.Truncated) == 2, "two truncated closes counted");
        await AssertStillServesAsync(bed, good);
    }

    [Fact]
    public async Task OversizedLengthPrefix_ClosesTheSender_WithoutBufferingIt()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MaxMessage = 64 * 1024 });
        await using var good = await bed.ConnectAsync();

        using (var bad = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint))
        {
            await bad.SendMessageAsync("fine"u8);
            await bad.SendRawAsync([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
            Assert.True(await bad.ClosedByPeerAsync(Poll.DefaultTimeout));
        }

        using (var bad = await RawFirehoseClient.OpenAsync(bed.EndPoint))
        {
            // A handshake frame claiming a megabyte.
            await bad.SendRawAsync([0x00, 0x00, 0x10, 0x00]);
            Assert.True(await bad.ClosedByPeerAsync(Poll.DefaultTimeout));
        }

        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.TooLarge) == 1, "message_too_large counted");
        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.Malformed) == 1, "oversized handshake frame counted");
        var fine = await bed.NextAsync(FirehoseEventKind.Message);
        Assert.Equal("fine", fine.Text);
        await AssertStillServesAsync(bed, good);
    }

    [Fact]
    public async Task SilentClient_IsClosedAtTheHandshakeTimeout()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        using var silent = await RawFirehoseClient.OpenAsync(bed.EndPoint);
        Assert.True(await silent.ClosedByPeerAsync(Poll.DefaultTimeout));
        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.HandshakeTimeout) == 1, "handshake_timeout counted");
        Assert.Contains(bed.Logs.Entries, e => e.Id.Id == 5003 && e.Message.Contains("handshake_timeout", StringComparison.Ordinal));

        // The connection count drops just after the close the client saw: wait for it, don't race it.
        await Poll.UntilAsync(() => bed.Service.OpenConnections == 0, "no connection left open");
    }

    [Fact]
    public async Task ThousandConnectionsFromOneIp_OverThePerIpCap_OnlyTheExcessIsClosed()
    {
        const int cap = 50;
        const int attempts = 1000;
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MaxConnectionsPerIp = cap, HandshakeTimeout = TimeSpan.FromSeconds(60) });
        var sockets = new List<RawFirehoseClient>();
        try
        {
            for (var i = 0; i < attempts; i++)
            {
                try
                {
                    sockets.Add(await RawFirehoseClient.OpenAsync(bed.EndPoint, IPAddress.Loopback));
                }
                catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
                {
                    // The refusal (an RST right after accept) can beat the connect's completion.
                }
            }

            await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.PerIpLimit) == attempts - cap, "the excess is refused");
            Assert.Equal(cap, bed.Service.OpenConnections);

            // Another address is not affected by 127.0.0.1's cap.
            var other = await RawFirehoseClient.OpenAsync(bed.EndPoint, IPAddress.Parse("127.0.0.2"));
            sockets.Add(other);
            await other.SendAsync(Protocols.Firehose.HandshakePacket.Version(2));
            Assert.Equal(Protocols.Firehose.HandshakePacketKind.PubKey, (await other.ReadPacketAsync())?.Kind);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        await Poll.UntilAsync(() => bed.Service.OpenConnections == 0, "every connection released");
    }

    private static async Task AssertStillServesAsync(FirehoseTestBed bed, FirehoseClient good)
    {
        await good.SendAsync("still here"u8.ToArray());
        while (true)
        {
            var item = await bed.NextAsync(FirehoseEventKind.Message);
            if (item.ClientId == good.ClientId)
            {
                Assert.Equal("still here", Encoding.UTF8.GetString(item.Data.Span));
                return;
            }
        }
    }
}
