using System.Buffers.Binary;
using System.Text;
using Sluice.Client;
using Sluice.Firehose;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Protocols.Firehose;

namespace Sluice.IntegrationTests.Firehose;

public sealed class FirehoseEndToEndTests
{
    [Fact]
    public async Task ManyClients_ThroughOneGateway_EachGetsItsOwnEchoesInOrder()
    {
        // 2,000 clients hold 4,000 sockets in this process (client + gateway side) plus the master link.
        const int clients = 2000;
        const int messagesPerClient = 20;
        await using var bed = await FirehoseTestBed.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var echo = EchoAsync(bed.Master, cts.Token);

        var connected = new FirehoseClient[clients];
        for (var i = 0; i < clients; i += 100)
        {
            var batch = Enumerable.Range(i, Math.Min(100, clients - i)).Select(async j => connected[j] = await bed.ConnectAsync());
            await Task.WhenAll(batch);
        }

        Assert.Equal(clients, connected.Select(c => c.ClientId).Distinct().Count());
        await Task.WhenAll(connected.Select(async (client, index) =>
        {
            for (var m = 0; m < messagesPerClient; m++)
            {
                await client.SendAsync(Message(index, m), cts.Token);
            }

            for (var m = 0; m < messagesPerClient; m++)
            {
                var reply = await client.ReceiveAsync(cts.Token);
                Assert.Equal(Message(index, m), reply);
            }
        }));

        Assert.Equal(clients * messagesPerClient, bed.Service.Counters.MessagesIn);
        Assert.Equal(clients * messagesPerClient, bed.Service.Counters.MessagesOut);
        foreach (var client in connected)
        {
            await client.DisposeAsync();
        }

        cts.Cancel();
        await echo;
    }

    [Fact]
    public async Task MasterAddressesUnknownId_GetsClientNotFound()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        await bed.Master.SendAsync(987654, "hello"u8.ToArray());
        var failure = await bed.NextAsync(FirehoseEventKind.Failure);
        Assert.Equal(987654UL, failure.ClientId);
        Assert.Equal("Client not found", failure.Text);
    }

    [Fact]
    public async Task Kick_DisconnectsTheClient_AndItCannotResume()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        await using var client = await bed.ConnectAsync(new FirehoseClientOptions { ResumeTimeout = TimeSpan.FromSeconds(1) });
        await client.SendAsync("hi"u8.ToArray());
        var first = await bed.NextAsync(FirehoseEventKind.Message);
        await bed.Master.KickAsync(first.ClientId);
        var ex = await Assert.ThrowsAsync<FirehoseException>(async () => await client.ReceiveAsync().AsTask().WaitAsync(Poll.DefaultTimeout));
        Assert.Contains("could not resume", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, bed.Service.Sessions.Count);
        Assert.True(bed.Service.Counters.ClosedFor(CloseReasons.Kicked) >= 1);
    }

    [Fact]
    public async Task MasterEvents_ReportConnectAndDisconnectWithAddress_AndBroadcastReachesEveryone()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MasterEvents = true, MissedMessages = 10 });
        await using var a = await bed.ConnectAsync();
        await using var b = await bed.ConnectAsync();
        var connectedA = await bed.NextAsync(FirehoseEventKind.Connected);
        var connectedB = await bed.NextAsync(FirehoseEventKind.Connected);
        Assert.Equal(a.ClientId, connectedA.ClientId);
        Assert.Equal(b.ClientId, connectedB.ClientId);
        Assert.StartsWith("127.0.0.1:", connectedA.Text, StringComparison.Ordinal);

        await bed.Master.BroadcastAsync("to all"u8.ToArray());
        Assert.Equal("to all", Encoding.UTF8.GetString(await a.ReceiveAsync()));
        Assert.Equal("to all", Encoding.UTF8.GetString(await b.ReceiveAsync()));

        await bed.Master.BroadcastAsync("only b"u8.ToArray(), [b.ClientId]);
        Assert.Equal("only b", Encoding.UTF8.GetString(await b.ReceiveAsync()));

        a.DropConnection();
        var dropped = await bed.NextAsync(FirehoseEventKind.Disconnected);
        Assert.Equal(a.ClientId, dropped.ClientId);
    }

    [Fact]
    public async Task WithoutMasterEvents_ThePlainVoltlaneMasterSeesOnlyDataAndFailures_AndBroadcastIsIgnored()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MissedMessages = 10 });
        await using var client = await bed.ConnectAsync();
        await client.SendAsync("first"u8.ToArray());
        client.DropConnection();
        await Poll.UntilAsync(() => client.Resumes == 1, "the client resumed");
        await client.SendAsync("second"u8.ToArray());
        await bed.Master.BroadcastAsync("ignored"u8.ToArray());
        await bed.Master.SendAsync(client.ClientId, "direct"u8.ToArray());

        Assert.Equal("direct", Encoding.UTF8.GetString(await client.ReceiveAsync().AsTask().WaitAsync(Poll.DefaultTimeout)));
        var kinds = new List<FirehoseEventKind>();
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        while (kinds.Count(k => k == FirehoseEventKind.Message) < 2)
        {
            kinds.Add((await bed.Master.ReceiveAsync(timeout.Token)).Kind);
        }

        Assert.Equal([FirehoseEventKind.Message, FirehoseEventKind.Resumed, FirehoseEventKind.Message], kinds);
        Assert.Contains(bed.Logs.Entries, e => e.Id.Id == 5013);
    }

    private static byte[] Message(int client, int sequence)
    {
        var message = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(message, client);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), sequence);
        return message;
    }

    internal static async Task EchoAsync(FirehoseMaster master, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in master.ReadAllAsync(cancellationToken))
            {
                if (item.Kind == FirehoseEventKind.Message)
                {
                    await master.SendAsync(item.ClientId, item.Data, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public async Task MessagesSentTogetherWithTheLastHandshakePacket_ReachTheMaster_WithoutWaitingForMore()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        using var client = await RawFirehoseClient.OpenAsync(bed.EndPoint);
        using var keys = FirehoseKeyPair.Create();
        await client.SendAsync(HandshakePacket.Version(2));
        Assert.Equal(HandshakePacketKind.PubKey, (await client.ReadPacketAsync())?.Kind);

        // PubKey and two messages in one write: the gateway reads them in one receive and must
        // route the messages it already holds, not wait for bytes that never come.
        byte[] first = [1, 2, 3];
        byte[] second = [4, 5];
        await client.SendRawAsync([.. HandshakePacket.PubKey(keys.PublicKey).ToFrame(), .. Frame(first), .. Frame(second)]);
        var id = (await client.ReadPacketAsync())!.Value.Number;

        var one = await bed.NextAsync(FirehoseEventKind.Message);
        var two = await bed.NextAsync(FirehoseEventKind.Message);
        Assert.Equal(id, one.ClientId);
        Assert.Equal(first, one.Data.ToArray());
        Assert.Equal(id, two.ClientId);
        Assert.Equal(second, two.Data.ToArray());

        static byte[] Frame(byte[] payload)
        {
            var frame = new byte[4 + payload.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
            payload.CopyTo(frame, 4);
            return frame;
        }
    }
}
