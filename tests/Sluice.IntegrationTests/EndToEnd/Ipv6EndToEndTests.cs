using System.Net;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

public sealed class Ipv6EndToEndTests
{
    [SkippableFact]
    public async Task Ipv6Listener_ToIpv4Upstream_AndIpv4Listener_ToIpv6Upstream_BothRoundTrip()
    {
        Skip.IfNot(LoopbackEchoServer.CanBind(IPAddress.IPv6Loopback), "::1 cannot be bound on this machine (IPv6 disabled)");
        await using var v4Backend = TestBackend.Echo();
        await using var v6Backend = new LoopbackEchoServer(IPAddress.IPv6Loopback);
        var config = new SluiceConfig
        {
            Proxies =
            [
                new ProxyRouteConfig { Name = "in6", Listen = [new HostPort("::1", 0)], Cluster = "v4" },
                new ProxyRouteConfig { Name = "out6", Listen = [TestGateway.Loopback0], Cluster = "v6" },
            ],
            Clusters =
            [
                new ClusterConfig { Name = "v4", Upstreams = [new UpstreamConfig { Address = TestGateway.Parse(v4Backend.Address) }] },
                new ClusterConfig { Name = "v6", Upstreams = [new UpstreamConfig { Address = TestGateway.Parse(v6Backend.Address) }] },
            ],
        };
        await using var gateway = await TestGateway.StartAsync(config);
        Assert.Equal(IPAddress.IPv6Loopback, gateway.EndPoint("in6").Address);

        await EchoClient.OneRoundTripAsync(gateway.EndPoint("in6"), tag: 6);
        await EchoClient.OneRoundTripAsync(gateway.EndPoint("out6"), tag: 4);
        Assert.Equal(1, v4Backend.Accepted);
    }
}
