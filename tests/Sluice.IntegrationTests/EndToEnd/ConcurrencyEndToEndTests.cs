using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

public sealed class ConcurrencyEndToEndTests
{
    private const int Connections = 1000;
    private const int PayloadSize = 16 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ThousandConcurrentConnections_AllEchoTheirPayload_AndNoneIsLeftOpen()
    {
        await using var backend = TestBackend.Echo();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));
        var target = gateway.EndPoint("p");

        var clients = Enumerable.Range(0, Connections).Select(i => Task.Run(async () =>
        {
            var payload = new byte[PayloadSize];
            new Random(i).NextBytes(payload);
            using var socket = await EchoClient.ConnectAsync(target);
            var sent = 0;
            while (sent < payload.Length)
            {
                sent += await socket.SendAsync(payload.AsMemory(sent));
            }

            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var echoed = await SocketIo.ReadToEndAsync(socket, Timeout);
            return echoed.AsSpan().SequenceEqual(payload);
        })).ToArray();

        var results = await Task.WhenAll(clients).WaitAsync(Timeout * 2);
        Assert.Equal(Connections, results.Count(ok => ok));
        Assert.Equal(Connections, backend.Accepted);
        await Poll.UntilAsync(() => gateway.Gateway.ActiveConnections == 0, "every proxied connection was released", Timeout);
    }
}
