using System.Net.Sockets;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

public sealed class ProcessLimitEndToEndTests
{
    [Fact]
    public async Task ServerMaxConnections_CountsAcrossRoutes_RefusesBeyondIt_AndAcceptsAfterOneCloses()
    {
        await using var backend = TestBackend.Echo();
        var config = new SluiceConfig
        {
            Server = new ServerConfig { MaxConnections = 3 },
            Proxies =
            [
                new ProxyRouteConfig { Name = "a", Listen = [TestGateway.Loopback0], Cluster = "c" },
                new ProxyRouteConfig { Name = "b", Listen = [TestGateway.Loopback0], Cluster = "c" },
            ],
            Clusters = [new ClusterConfig { Name = "c", Upstreams = [new UpstreamConfig { Address = TestGateway.Parse(backend.Address) }] }],
        };
        await using var gateway = await TestGateway.StartAsync(config);
        Assert.Equal(3, gateway.Gateway.EffectiveMaxConnections);

        var held = new List<Socket>();
        try
        {
            foreach (var route in new[] { "a", "a", "b" })
            {
                var socket = await EchoClient.ConnectAsync(gateway.EndPoint(route));
                held.Add(socket);
                await EchoClient.RoundTripAsync(socket);
            }

            foreach (var route in new[] { "a", "b" })
            {
                using var refused = await EchoClient.ConnectAsync(gateway.EndPoint(route));
                Assert.True(await SocketIo.ClosedWithinAsync(refused, EchoClient.Timeout), $"a fourth connection on route {route} was not refused");
            }

            held[0].Dispose();
            await Poll.UntilAsync(() => gateway.Gateway.ActiveConnections == 2, "the closed connection released its slot");
            using var again = await EchoClient.ConnectAsync(gateway.EndPoint("b"));
            await EchoClient.RoundTripAsync(again);
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }
    }
}
