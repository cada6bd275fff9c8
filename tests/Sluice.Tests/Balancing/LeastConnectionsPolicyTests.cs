using Sluice.Balancing;

namespace Sluice.Tests.Balancing;

public sealed class LeastConnectionsPolicyTests
{
    [Fact]
    public void Pick_ChoosesTheLeastLoaded()
    {
        var upstreams = TestUpstreams.Equal(3);
        TestUpstreams.Load(upstreams[0], 5);
        TestUpstreams.Load(upstreams[1], 2);
        TestUpstreams.Load(upstreams[2], 7);
        var policy = new LeastConnectionsPolicy(upstreams);

        for (var i = 0; i < 100; i++)
        {
            Assert.Same(upstreams[1], policy.Pick(default, []));
        }
    }

    [Fact]
    public void Pick_ComparesConnectionsPerWeight()
    {
        // 5 connections on weight 3 (1.67 each) is lighter than 2 on weight 1.
        var upstreams = TestUpstreams.WithWeights(1, 3);
        TestUpstreams.Load(upstreams[0], 2);
        TestUpstreams.Load(upstreams[1], 5);
        var policy = new LeastConnectionsPolicy(upstreams);

        Assert.Same(upstreams[1], policy.Pick(default, []));
    }

    [Fact]
    public void Pick_Ties_AreSpreadEvenly()
    {
        var upstreams = TestUpstreams.Equal(3);
        TestUpstreams.Load(upstreams[0], 1);
        var policy = new LeastConnectionsPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, []), 6000);

        Assert.False(counts.ContainsKey(upstreams[0]));
        Assert.InRange(counts[upstreams[1]], 2700, 3300);
        Assert.InRange(counts[upstreams[2]], 2700, 3300);
    }

    [Fact]
    public void Pick_ConnectionsFollowingPicks_SettleInWeightRatio()
    {
        var upstreams = TestUpstreams.WithWeights(1, 2);
        var policy = new LeastConnectionsPolicy(upstreams);

        for (var i = 0; i < 300; i++)
        {
            policy.Pick(default, [])!.OnConnectionStarted();
        }

        Assert.Equal(100, upstreams[0].ActiveConnections);
        Assert.Equal(200, upstreams[1].ActiveConnections);
    }
}
