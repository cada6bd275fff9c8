using System.Net;
using Sluice.Client;
using Sluice.Configuration;
using Sluice.Firehose;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Firehose;

public sealed class FirehoseLimitsTests
{
    [Fact]
    public async Task ClientThatStopsReading_IsFailedAtClientQueue_OthersUnaffected()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { ClientQueue = 16 });
        using var stuck = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);
        await using var good = await bed.ConnectAsync();

        // 200 × 64 KiB overflows the socket buffers, then the 16-message queue.
        var chunk = new byte[64 * 1024];
        for (var i = 0; i < 200; i++)
        {
            await bed.Master.SendAsync(stuck.ClientId, chunk);
        }

        var failure = await bed.NextAsync(FirehoseEventKind.Failure);
        Assert.Equal((stuck.ClientId, "Client queue overflow"), (failure.ClientId, failure.Text));
        await Poll.UntilAsync(() => bed.Service.OpenConnections == 1, "the stuck client's connection is closed");
        Assert.True(await stuck.ClosedByPeerAsync(Poll.DefaultTimeout));

        await bed.Master.SendAsync(good.ClientId, "fine"u8.ToArray());
        Assert.Equal("fine"u8.ToArray(), await good.ReceiveAsync().AsTask().WaitAsync(Poll.DefaultTimeout));
    }

    [Fact]
    public async Task MoreStaleThanMaxStaleClients_EvictsTheOldest()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MaxStaleClients = 2 });
        var ids = new List<ulong>();
        for (var i = 0; i < 3; i++)
        {
            var client = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);
            ids.Add(client.ClientId);
            client.Dispose();
            await Poll.UntilAsync(() => bed.Service.Sessions.StaleCount + bed.Service.Counters.Failures.Values.Sum() == i + 1, "the drop is noticed");
        }

        var failure = await bed.NextAsync(FirehoseEventKind.Failure);
        Assert.Equal((ids[0], "Client evicted: too many stale clients"), (failure.ClientId, failure.Text));
        Assert.Equal(2, bed.Service.Sessions.StaleCount);
        Assert.True(bed.Service.Sessions.TryGet(ids[2], out _));
    }

    [Fact]
    public async Task MaxClients_RefusesTheNextConnection()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MaxClients = 3 });
        var clients = new List<FirehoseClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await bed.ConnectAsync());
        }

        try
        {
            using var extra = await RawFirehoseClient.OpenAsync(bed.EndPoint);
            Assert.True(await extra.ClosedByPeerAsync(Poll.DefaultTimeout));
        }
        catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
        {
            // The refusal (an RST right after accept) can beat the connect's completion.
        }

        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor(CloseReasons.MaxClients) == 1, "max_clients refusal counted");
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task MasterRestart_WithEvents_NewMasterLearnsConnectedClientsFirst()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MasterEvents = true });
        await using var client = await bed.ConnectAsync();
        await bed.NextAsync(FirehoseEventKind.Connected);
        await bed.RestartMasterAsync();
        await bed.NextAsync(FirehoseEventKind.GatewayConnected);
        var announced = await bed.Master.ReceiveAsync();
        Assert.Equal((FirehoseEventKind.Connected, client.ClientId), (announced.Kind, announced.ClientId));
        Assert.StartsWith("127.0.0.1:", announced.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SdkClient_RefusesToResumeWithAGatewayWhoseKeyChanged()
    {
        await using var master = FirehoseMaster.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        FirehoseConfig Config(int port) => new() { Name = "f", Listen = [new HostPort("127.0.0.1", port)], Master = new HostPort("127.0.0.1", master.LocalEndPoint.Port) };
        var first = await TestGateway.StartAsync(new SluiceConfig { Firehoses = [Config(0)] });
        var port = first.EndPoint("f").Port;
        await using var client = await FirehoseClient.ConnectAsync(first.EndPoint("f"), new FirehoseClientOptions { ResumeTimeout = TimeSpan.FromSeconds(10) });
        await first.DisposeAsync();

        await using var second = await TestGateway.StartAsync(new SluiceConfig { Firehoses = [Config(port)] });
        var ex = await Assert.ThrowsAsync<FirehoseException>(async () => await client.ReceiveAsync().AsTask().WaitAsync(Poll.DefaultTimeout));
        Assert.Contains("public key changed", ex.Message, StringComparison.Ordinal);
    }
}
