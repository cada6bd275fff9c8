using System.Net;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Firehose;

/// <summary>
/// Both firehose engines through the real binary: the epoll engine (the default on Linux, which
/// every in-process firehose test also runs on) and the .NET sockets engine kept for other
/// platforms and chosen with SLUICE_FIREHOSE_ENGINE=sockets.
/// </summary>
public sealed class FirehoseEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("epoll")]
    [InlineData("sockets")]
    public async Task Engine_CarriesLargeMessagesIntactBothWays(string engine)
    {
        await using var master = FirehoseMaster.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", $"""
            [[firehose]]
            name = "engine"
            listen = "127.0.0.1:0"
            master = "127.0.0.1:{master.LocalEndPoint.Port}"
            """);
        await using var sluice = SluiceProcess.Start(dir.Path, fileLimit: null, [("SLUICE_FIREHOSE_ENGINE", engine)], "run", "-c", config);
        var endpoint = await sluice.ListeningAsync("engine", Timeout);
        await sluice.WaitForOutputAsync($"firehose engine {engine}", Timeout);
        using var timeout = new CancellationTokenSource(Timeout);
        await master.WaitForGatewayAsync(timeout.Token);

        await using var client = await FirehoseClient.ConnectAsync(endpoint);
        var message = new byte[200_000];
        Random.Shared.NextBytes(message);
        await client.SendAsync(message, timeout.Token);
        var received = await NextAsync(master, FirehoseEventKind.Message, timeout.Token);
        Assert.Equal(client.ClientId, received.ClientId);
        Assert.Equal(message, received.Data.ToArray());

        await master.SendAsync(client.ClientId, message, timeout.Token);
        Assert.Equal(message, await client.ReceiveAsync(timeout.Token));
    }

    private static async Task<FirehoseMasterEvent> NextAsync(FirehoseMaster master, FirehoseEventKind kind, CancellationToken token)
    {
        while (true)
        {
            var item = await master.ReceiveAsync(token);
            if (item.Kind == kind)
            {
                return item;
            }
        }
    }
}
