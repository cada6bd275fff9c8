using Sluice.Balancing;

namespace Sluice.Tests.Balancing;

public sealed class RandomPolicyTests
{
    [Fact]
    public void Pick_Weights1To3_SplitsAQuarterToThreeQuarters()
    {
        var upstreams = TestUpstreams.WithWeights(1, 3);
        var policy = new RandomPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, []), 20_000);

        // Expected 5000, sd ~61: ±400 is over six standard deviations.
        Assert.InRange(counts[upstreams[0]], 4600, 5400);
    }

    [Fact]
    public void Pick_WithOneTried_SplitsTheRestByWeight()
    {
        var upstreams = TestUpstreams.WithWeights(1, 5, 1);
        var policy = new RandomPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, [upstreams[1]]), 10_000);

        Assert.InRange(counts[upstreams[0]], 4600, 5400);
        Assert.InRange(counts[upstreams[2]], 4600, 5400);
    }
}
