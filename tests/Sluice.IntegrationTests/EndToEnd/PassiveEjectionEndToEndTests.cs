using System.Diagnostics;
using Sluice.Health;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

public sealed class PassiveEjectionEndToEndTests
{
    private static readonly TimeSpan EjectionTime = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task DeadUpstream_IsEjectedByTraffic_SkippedWhileEjected_OfferedAgainAfterEjectionTime_AndReEjectedByOneFailure()
    {
        await using var live = TestBackend.Echo();
        var doomed = TestBackend.Echo();
        var deadAddress = doomed.Address;
        await doomed.DisposeAsync();
        var config = TestGateway.Proxy(
            [deadAddress, live.Address],
            r => r with { ConnectAttempts = 2 },
            c => c with { Passive = new() { MaxFailures = 2, EjectionTime = EjectionTime } });
        await using var gateway = await TestGateway.StartAsync(config);
        var dead = gateway.Gateway.Clusters["c"].Upstreams[0];
        Assert.Equal(deadAddress, dead.Address.ToString());

        // Round robin offers the dead upstream every other connection; the retry keeps each one working.
        var connections = 0;
        while (dead.IsHealthy)
        {
            Assert.True(connections < 10, "the dead upstream was not ejected after 10 connections");
            await EchoClient.OneRoundTripAsync(gateway.EndPoint("p"), tag: connections++);
        }

        Assert.Equal(UpstreamHealthState.Ejected, dead.State);
        Assert.Equal(1, dead.GetHealth().Ejections);

        // While ejected it is not even tried: a try would bump its consecutive failure count.
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            await EchoClient.OneRoundTripAsync(gateway.EndPoint("p"), tag: i);
        }

        var during = dead.GetHealth();
        if (watch.Elapsed < EjectionTime * 0.8)
        {
            Assert.Equal((UpstreamHealthState.Ejected, 2, 1L), (during.State, during.ConsecutiveConnectFailures, during.Ejections));
        }

        // Offered again after the ejection time, without active checks.
        await Poll.UntilAsync(() => dead.IsHealthy, "the ejected upstream was offered again");
        Assert.Equal(UpstreamHealthState.Up, dead.State);

        // On trial: the first failure ejects it again.
        for (var i = 0; i < 3 && dead.GetHealth().Ejections < 2; i++)
        {
            await EchoClient.OneRoundTripAsync(gateway.EndPoint("p"), tag: i);
        }

        var after = dead.GetHealth();
        Assert.Equal((UpstreamHealthState.Ejected, 2L), (after.State, after.Ejections));
    }
}
