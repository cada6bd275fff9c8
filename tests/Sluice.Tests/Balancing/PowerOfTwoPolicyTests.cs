using Sluice.Balancing;

namespace Sluice.Tests.Balancing;

public sealed class PowerOfTwoPolicyTests
{
    [Fact]
    public void Pick_TwoUpstreamsWithDifferentLoad_AlwaysTakesTheLighter()
    {
        var upstreams = TestUpstreams.Equal(2);
        TestUpstreams.Load(upstreams[0], 3);
        var policy = new PowerOfTwoPolicy(upstreams);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Same(upstreams[1], policy.Pick(default, []));
        }
    }

    [Fact]
    public void Pick_NeverTakesTheMostLoaded()
    {
        var upstreams = TestUpstreams.Equal(4);
        TestUpstreams.Load(upstreams[0], 1);
        TestUpstreams.Load(upstreams[1], 4);
        TestUpstreams.Load(upstreams[2], 9);
        TestUpstreams.Load(upstreams[3], 2);
        var policy = new PowerOfTwoPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, []), 6000);

        Assert.False(counts.ContainsKey(upstreams[2]));

        // The lightest wins every pair it is drawn in: 3 of the 6 pairs, half the picks.
        Assert.InRange(counts[upstreams[0]], 2700, 3300);
    }

    [Fact]
    public void Pick_WeighsConnectionsByWeight()
    {
        // 6 connections on weight 4 (1.5 each) beats 2 on weight 1.
        var upstreams = TestUpstreams.WithWeights(1, 4);
        TestUpstreams.Load(upstreams[0], 2);
        TestUpstreams.Load(upstreams[1], 6);
        var policy = new PowerOfTwoPolicy(upstreams);

        for (var i = 0; i < 100; i++)
        {
            Assert.Same(upstreams[1], policy.Pick(default, []));
        }
    }

    [Fact]
    public void Pick_EqualLoad_SpreadsEvenly()
    {
        var upstreams = TestUpstreams.Equal(3);
        var policy = new PowerOfTwoPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, []), 6000);

        Assert.All(upstreams, u => Assert.InRange(counts[u], 1700, 2300));
    }
}
