using System.Net;
using System.Net.Sockets;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

/// <summary>Balancing policies observed from the backends' side, over real sockets.</summary>
public sealed class BalancingEndToEndTests
{
    [Fact]
    public async Task RoundRobin_Weights123_SplitsSequentialConnectionsExactly()
    {
        await using var a = TestBackend.Echo();
        await using var b = TestBackend.Echo();
        await using var c = TestBackend.Echo();
        var config = TestGateway.Proxy(
            [a.Address, b.Address, c.Address],
            cluster: cl => cl with
            {
                Balance = BalancePolicyKind.RoundRobin,
                Upstreams = [Upstream(a, 1), Upstream(b, 2), Upstream(c, 3)],
            });
        await using var gateway = await TestGateway.StartAsync(config);

        for (var i = 0; i < 600; i++)
        {
            await EchoClient.OneRoundTripAsync(gateway.EndPoint("p"), tag: i);
        }

        Assert.Equal((100, 200, 300), (a.Accepted, b.Accepted, c.Accepted));
    }

    [Fact]
    public async Task LeastConnections_FourHeldConnections_SplitTwoAndTwo()
    {
        await using var a = TestBackend.Echo();
        await using var b = TestBackend.Echo();
        var config = TestGateway.Proxy([a.Address, b.Address], cluster: c => c with { Balance = BalancePolicyKind.LeastConnections });
        await using var gateway = await TestGateway.StartAsync(config);

        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var socket = await EchoClient.ConnectAsync(gateway.EndPoint("p"));
                held.Add(socket);

                // The round trip proves the upstream connection is up, so it counts for the next pick.
                await EchoClient.RoundTripAsync(socket, i);
            }

            Assert.Equal((2, 2), (a.Accepted, b.Accepted));
            var upstreams = gateway.Gateway.Clusters["c"].Upstreams;
            Assert.Equal([2, 2], upstreams.Select(u => u.ActiveConnections));
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task SourceHash_SameClientIp_AlwaysLandsOnOneBackend()
    {
        await using var a = TestBackend.Echo();
        await using var b = TestBackend.Echo();
        await using var c = TestBackend.Echo();
        var backends = new[] { a, b, c };
        var config = TestGateway.Proxy(backends.Select(x => x.Address), cluster: cl => cl with { Balance = BalancePolicyKind.SourceHash });
        await using var gateway = await TestGateway.StartAsync(config);

        for (var i = 0; i < 20; i++)
        {
            await EchoClient.OneRoundTripAsync(gateway.EndPoint("p"), IPAddress.Loopback, i);
        }

        var counts = backends.Select(x => x.Accepted).OrderDescending().ToArray();
        Assert.Equal([20, 0, 0], counts);
    }

    [Fact]
    public async Task SourceHash_OtherSourceIps_SpreadOverBackends_AndEachKeepsItsBackend()
    {
        await using var a = TestBackend.Echo();
        await using var b = TestBackend.Echo();
        await using var c = TestBackend.Echo();
        var backends = new[] { a, b, c };
        var config = TestGateway.Proxy(backends.Select(x => x.Address), cluster: cl => cl with { Balance = BalancePolicyKind.SourceHash });
        await using var gateway = await TestGateway.StartAsync(config);

        var chosen = new Dictionary<IPAddress, int>();
        for (var host = 2; host <= 30; host++)
        {
            var source = IPAddress.Parse($"127.0.0.{host}");
            for (var repeat = 0; repeat < 3; repeat++)
            {
                var before = backends.Select(x => x.Accepted).ToArray();
                await EchoClient.OneRoundTripAsync(gateway.EndPoint("p"), source, repeat);
                var landed = Enumerable.Range(0, backends.Length).Single(i => backends[i].Accepted == before[i] + 1);
                if (chosen.TryGetValue(source, out var first))
                {
                    Assert.True(first == landed, $"{source} moved from backend {first} to backend {landed}");
                }
                else
                {
                    chosen[source] = landed;
                }
            }
        }

        Assert.True(chosen.Values.Distinct().Count() > 1, "29 source addresses all hashed to one backend");
    }

    private static UpstreamConfig Upstream(TestBackend backend, int weight) =>
        new() { Address = TestGateway.Parse(backend.Address), Weight = weight };
}
