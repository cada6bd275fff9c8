using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.IntegrationTests.Health;

/// <summary>The whole loop on real sockets: cluster → monitor → probe → upstream state.</summary>
public sealed class ActiveHealthCheckTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ListenerCloses_DownAfterFall_ComesBack_UpAfterRise()
    {
        var server = LoopbackServer.AcceptAndClose();
        var port = server.Port;
        await using var cluster = Create(server.Address, new HealthCheckConfig
        {
            Interval = TimeSpan.FromMilliseconds(50),
            Timeout = TimeSpan.FromSeconds(1),
            Rise = 2,
            Fall = 3,
        });
        var upstream = cluster.Upstreams[0];
        cluster.StartHealthChecks();
        await WaitUntil(() => upstream.GetHealth().ConsecutiveCheckPasses >= 1);

        await server.DisposeAsync();
        await WaitUntil(() => !upstream.IsHealthy);
        var down = upstream.GetHealth();
        Assert.Equal(UpstreamHealthState.Down, down.State);
        Assert.True(down.ConsecutiveCheckFailures >= 3, $"down after {down.ConsecutiveCheckFailures} failures");
        Assert.Equal("connect_refused", down.LastCheckError);

        await using var back = LoopbackServer.AcceptAndClose(port);
        await WaitUntil(() => upstream.IsHealthy);
        Assert.True(upstream.GetHealth().ConsecutiveCheckPasses >= 2);
        Assert.Same(upstream, cluster.Pick(default, []));
    }

    [Fact]
    public async Task SendExpect_WrongAnswer_TakesItDown_RightAnswerKeepsItUp()
    {
        await using var right = LoopbackServer.Answering("PING\r\n", "+PONG\r\n");
        await using var wrong = LoopbackServer.Answering("PING\r\n", "-ERR\r\n");
        var config = new ClusterConfig
        {
            Name = "redis",
            Upstreams = [new() { Address = right.Address }, new() { Address = wrong.Address }],
            Health = new HealthCheckConfig { Interval = TimeSpan.FromMilliseconds(50), Send = "PING\r\n", Expect = "+PONG", Rise = 1, Fall = 1 },
        };
        await using var cluster = UpstreamCluster.Create(config, null, TimeProvider.System, NullLoggerFactory.Instance);
        cluster.StartHealthChecks();

        await WaitUntil(() => !cluster.Upstreams[1].IsHealthy && cluster.Upstreams[0].GetHealth().ConsecutiveCheckPasses >= 3);

        Assert.True(cluster.Upstreams[0].IsHealthy);
        for (var i = 0; i < 10; i++)
        {
            Assert.Same(cluster.Upstreams[0], cluster.Pick(default, []));
        }
    }

    [Fact]
    public async Task PassivelyEjected_ReturnsOnTheNextPassingCheck()
    {
        await using var server = LoopbackServer.AcceptAndClose();
        await using var cluster = Create(server.Address, new HealthCheckConfig { Interval = TimeSpan.FromMilliseconds(50) });
        var upstream = cluster.Upstreams[0];
        for (var i = 0; i < cluster.Config.Passive.MaxFailures; i++)
        {
            upstream.ReportConnectFailure();
        }

        Assert.Equal(UpstreamHealthState.Ejected, upstream.State);
        cluster.StartHealthChecks();

        await WaitUntil(() => upstream.IsHealthy);
    }

    private static UpstreamCluster Create(HostPort address, HealthCheckConfig health) => UpstreamCluster.Create(
        new ClusterConfig { Name = "it", Upstreams = [new() { Address = address }], Health = health },
        null,
        TimeProvider.System,
        NullLoggerFactory.Instance);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Deadline);
            await Task.Delay(10);
        }
    }
}
