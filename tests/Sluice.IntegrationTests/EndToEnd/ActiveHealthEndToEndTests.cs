using System.Diagnostics;
using Sluice.Configuration;
using Sluice.Health;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

public sealed class ActiveHealthEndToEndTests
{
    private static readonly HealthCheckConfig FastChecks = new()
    {
        Interval = TimeSpan.FromMilliseconds(200),
        Timeout = TimeSpan.FromMilliseconds(150),
        Rise = 2,
        Fall = 2,
    };

    [Fact]
    public async Task StoppedBackend_IsMarkedDown_AndNewConnectionsAllReachTheOther()
    {
        await using var a = TestBackend.Echo();
        var b = TestBackend.Echo();
        var config = TestGateway.Proxy(
            [a.Address, b.Address],
            r => r with { ConnectAttempts = 1 },
            c => c with { Health = FastChecks, Passive = new() { MaxFailures = 0 } });
        await using var gateway = await TestGateway.StartAsync(config);
        var upstreams = gateway.Gateway.Clusters["c"].Upstreams;
        await Poll.UntilAsync(() => upstreams.All(u => u.GetHealth().LastCheckPassed), "both upstreams passed a check");

        await b.DisposeAsync();
        await Poll.UntilAsync(() => upstreams[1].State == UpstreamHealthState.Down, "the stopped backend was marked down");
        Assert.Equal(UpstreamHealthState.Up, upstreams[0].State);

        // One attempt per connection and no passive ejection: only the health check keeps B out.
        for (var i = 0; i < 50; i++)
        {
            await EchoClient.OneRoundTripAsync(gateway.EndPoint("p"), tag: i);
        }
    }

    [Fact]
    public async Task EveryUpstreamDown_ClientIsClosedAtOnce_NotAfterTheConnectTimeout()
    {
        using var hole1 = Ports.BlackHole();
        using var hole2 = Ports.BlackHole();
        var config = TestGateway.Proxy(
            [hole1.Address, hole2.Address],
            r => r with { ConnectTimeout = TimeSpan.FromSeconds(10) },
            c => c with { Health = FastChecks });
        await using var gateway = await TestGateway.StartAsync(config);
        var upstreams = gateway.Gateway.Clusters["c"].Upstreams;
        await Poll.UntilAsync(() => upstreams.All(u => u.State == UpstreamHealthState.Down), "both black-holed upstreams were marked down");

        using var client = await gateway.ConnectAsync("p");
        var watch = Stopwatch.StartNew();
        Assert.True(await SocketIo.ClosedWithinAsync(client, TimeSpan.FromSeconds(2)), $"client still open after {watch.Elapsed}; connect timeout is 10 s");
    }
}
