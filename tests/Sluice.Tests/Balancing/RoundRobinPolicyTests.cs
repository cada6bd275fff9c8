using Sluice.Balancing;
using Sluice.Health;

namespace Sluice.Tests.Balancing;

public sealed class RoundRobinPolicyTests
{
    [Fact]
    public void Pick_Weights1To2_SplitsExactly1000To2000()
    {
        var upstreams = TestUpstreams.WithWeights(1, 2);
        var policy = new RoundRobinPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, []), 3000);

        Assert.Equal(1000, counts[upstreams[0]]);
        Assert.Equal(2000, counts[upstreams[1]]);
    }

    [Fact]
    public void Pick_Weights5To1To1_InterleavesInsteadOfBursting()
    {
        var upstreams = TestUpstreams.WithWeights(5, 1, 1);
        var policy = new RoundRobinPolicy(upstreams);

        var order = Enumerable.Range(0, 7).Select(_ => Array.IndexOf(upstreams, policy.Pick(default, []))).ToArray();

        // nginx's documented smooth sequence for 5:1:1.
        Assert.Equal([0, 0, 1, 0, 2, 0, 0], order);
    }

    [Fact]
    public void Pick_EqualWeights_Rotates()
    {
        var upstreams = TestUpstreams.Equal(3);
        var policy = new RoundRobinPolicy(upstreams);

        var order = Enumerable.Range(0, 6).Select(_ => policy.Pick(default, [])).ToArray();

        Assert.Equal([upstreams[0], upstreams[1], upstreams[2], upstreams[0], upstreams[1], upstreams[2]], order);
    }

    [Fact]
    public void Pick_OneDown_RemainingKeepTheirWeightRatio()
    {
        var upstreams = TestUpstreams.WithWeights(1, 5, 3);
        TestUpstreams.MarkDown(upstreams[1]);
        var policy = new RoundRobinPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, []), 4000);

        Assert.Equal(1000, counts[upstreams[0]]);
        Assert.Equal(3000, counts[upstreams[2]]);
        Assert.False(counts.ContainsKey(upstreams[1]));
    }

    [Fact]
    public async Task Pick_Concurrent_StillHonoursWeights()
    {
        var upstreams = TestUpstreams.WithWeights(1, 3);
        var policy = new RoundRobinPolicy(upstreams);
        var first = 0;
        var second = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                var picked = policy.Pick(default, []);
                Interlocked.Increment(ref picked == upstreams[0] ? ref first : ref second);
            }
        })));

        Assert.Equal(10_000, first);
        Assert.Equal(30_000, second);
    }

    [Fact]
    public void Pick_ThroughCluster_UsesConfiguredPolicy()
    {
        var config = new Sluice.Configuration.ClusterConfig
        {
            Name = "c",
            Upstreams = [new() { Address = new("10.0.0.1", 1), Weight = 1 }, new() { Address = new("10.0.0.2", 1), Weight = 3 }],
        };
        var cluster = new UpstreamCluster(config);

        var counts = TestUpstreams.Count(() => cluster.Pick(default, ReadOnlySpan<Upstream?>.Empty), 400);

        Assert.Equal(100, counts[cluster.Upstreams[0]]);
        Assert.Equal(300, counts[cluster.Upstreams[1]]);
    }
}
