using System.Net;
using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Balancing;

/// <summary>What every policy promises the proxy: only healthy, untried upstreams; null when none; no allocation.</summary>
public sealed class PolicyContractTests
{
    public static TheoryData<BalancePolicyKind> Kinds => new(Enum.GetValues<BalancePolicyKind>());

    private static readonly BalancingContext Client = new(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50000));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pick_NeverReturnsAnUnhealthyUpstream(BalancePolicyKind kind)
    {
        var upstreams = TestUpstreams.Equal(4);
        TestUpstreams.MarkDown(upstreams[1]);
        TestUpstreams.MarkDown(upstreams[3]);
        var policy = LoadBalancingPolicyFactory.Create(kind, upstreams);

        for (var i = 0; i < 1000; i++)
        {
            var picked = policy.Pick(RandomClient(i), []);
            Assert.True(picked == upstreams[0] || picked == upstreams[2], $"picked {picked}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pick_NeverReturnsATriedUpstream(BalancePolicyKind kind)
    {
        var upstreams = TestUpstreams.Equal(3);
        var policy = LoadBalancingPolicyFactory.Create(kind, upstreams);
        Upstream?[] tried = [upstreams[0], null, upstreams[2]];

        for (var i = 0; i < 500; i++)
        {
            Assert.Same(upstreams[1], policy.Pick(RandomClient(i), tried));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pick_AllDownOrTried_ReturnsNull(BalancePolicyKind kind)
    {
        var upstreams = TestUpstreams.Equal(3);
        TestUpstreams.MarkDown(upstreams[0]);
        TestUpstreams.MarkDown(upstreams[1]);
        var policy = LoadBalancingPolicyFactory.Create(kind, upstreams);

        Assert.Null(policy.Pick(Client, [upstreams[2]]));
        TestUpstreams.MarkDown(upstreams[2]);
        Assert.Null(policy.Pick(Client, []));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pick_EmptyCluster_ReturnsNull(BalancePolicyKind kind) =>
        Assert.Null(LoadBalancingPolicyFactory.Create(kind, []).Pick(Client, []));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pick_UpstreamBackUp_IsPickedAgain(BalancePolicyKind kind)
    {
        var upstreams = TestUpstreams.Equal(2);
        var policy = LoadBalancingPolicyFactory.Create(kind, upstreams);
        TestUpstreams.MarkDown(upstreams[0]);
        TestUpstreams.MarkUp(upstreams[0]);

        Assert.Same(upstreams[0], policy.Pick(Client, [upstreams[1]]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pick_DoesNotAllocate(BalancePolicyKind kind)
    {
        var upstreams = TestUpstreams.WithWeights(1, 2, 3, 1, 1);
        TestUpstreams.MarkDown(upstreams[3]);
        var policy = LoadBalancingPolicyFactory.Create(kind, upstreams);
        Upstream?[] tried = [upstreams[4]];
        for (var i = 0; i < 100; i++)
        {
            policy.Pick(Client, tried);
        }

        const int Picks = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Picks; i++)
        {
            policy.Pick(Client, tried);
        }

        // Less than one byte per pick: any object per pick would cost at least 24 B each, while
        // the runtime itself (tiered JIT swapping in optimized code mid-loop) once charged this
        // thread 2,600 B in a whole run.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < Picks, $"{allocated} bytes allocated over {Picks} picks");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pick_LargeCluster_UsesEveryCandidate(BalancePolicyKind kind)
    {
        // More upstreams than fit the stack buffer: the pooled path must see all of them.
        var upstreams = TestUpstreams.Equal(PolicyCandidates.StackLimit + 36);
        var policy = LoadBalancingPolicyFactory.Create(kind, upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(RandomClient(Random.Shared.Next()), []), 50_000);

        Assert.Equal(upstreams.Length, counts.Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Pick_WhileHealthFlipsConcurrently_NeverReturnsTriedAndNeverThrows(BalancePolicyKind kind)
    {
        var upstreams = TestUpstreams.Equal(5);
        var policy = LoadBalancingPolicyFactory.Create(kind, upstreams);
        using var stop = new CancellationTokenSource();
        var flipper = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var upstream = upstreams[i % 4];
                if (i % 2 == 0)
                {
                    TestUpstreams.MarkDown(upstream);
                }
                else
                {
                    TestUpstreams.MarkUp(upstream);
                }
            }
        });

        var pickers = Enumerable.Range(0, 2).Select(p => Task.Run(() =>
        {
            Upstream?[] tried = [upstreams[4]];
            for (var i = 0; i < 20_000; i++)
            {
                var picked = policy.Pick(RandomClient(i + p), tried);
                Assert.NotSame(upstreams[4], picked);
                picked?.OnConnectionStarted();
                picked?.OnConnectionEnded();
            }
        })).ToArray();

        await Task.WhenAll(pickers);
        await stop.CancelAsync();
        await flipper;
    }

    private static BalancingContext RandomClient(int seed) =>
        new(new IPEndPoint(new IPAddress((uint)seed * 2654435761u), 40000));
}
