using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Balancing;
using Sluice.Configuration;

namespace Sluice.Tests.Balancing;

public sealed class UpstreamClusterReloadTests
{
    private static readonly HostPort A = new("10.3.0.1", 80);
    private static readonly HostPort B = new("10.3.0.2", 80);
    private static readonly HostPort C = new("10.3.0.3", 80);

    [Fact]
    public void SameHealthSettings_KeepsUpstreamObjects_WithHealthAndConnections()
    {
        var old = Create(Config([A, B]), null);
        old.Upstreams[0].OnConnectionStarted();
        ForceEject(old.Upstreams[1]);

        var next = Create(Config([B, A, C]), old);

        Assert.Same(old.Upstreams[0], next.Upstreams[1]);
        Assert.Same(old.Upstreams[1], next.Upstreams[0]);
        Assert.Equal(1, next.Upstreams[1].ActiveConnections);
        Assert.False(next.Upstreams[0].IsHealthy);
        Assert.True(next.Upstreams[2].IsHealthy);
    }

    [Fact]
    public void ConnectionEndingThroughOldCluster_IsSeenByTheNewOne()
    {
        var old = Create(Config([A]), null);
        var upstream = old.Pick(default, [])!;
        upstream.OnConnectionStarted();

        var next = Create(Config([A]), old);
        upstream.OnConnectionEnded();

        Assert.Equal(0, next.Upstreams[0].ActiveConnections);
    }

    [Fact]
    public void ChangedWeight_IsApplied_ToTheKeptUpstream()
    {
        var old = Create(Config([A, B]), null);

        var next = Create(Config([A, B], weights: [1, 3]), old);

        Assert.Same(old.Upstreams[1], next.Upstreams[1]);
        Assert.Equal(3, next.Upstreams[1].Weight);
        var counts = TestUpstreams.Count(() => next.Pick(default, []), 400);
        Assert.Equal(300, counts[next.Upstreams[1]]);
    }

    [Fact]
    public void ChangedHealthSettings_StartFresh()
    {
        var old = Create(Config([A]), null);
        ForceEject(old.Upstreams[0]);

        var next = Create(Config([A]) with { Passive = new PassiveHealthConfig { MaxFailures = 9 } }, old);

        Assert.NotSame(old.Upstreams[0], next.Upstreams[0]);
        Assert.True(next.Upstreams[0].IsHealthy);
    }

    [Fact]
    public void ChangedActiveChecks_StartFresh()
    {
        var old = Create(Config([A]), null);

        var next = Create(Config([A]) with { Health = new HealthCheckConfig { Interval = TimeSpan.FromSeconds(5) } }, old);

        Assert.NotSame(old.Upstreams[0], next.Upstreams[0]);
    }

    [Fact]
    public void EqualButNotSameHealthRecords_StillCarryOver()
    {
        var old = Create(Config([A]) with { Health = new HealthCheckConfig { Send = "PING", Expect = "PONG" } }, null);

        var next = Create(Config([A]) with { Health = new HealthCheckConfig { Send = "PING", Expect = "PONG" } }, old);

        Assert.Same(old.Upstreams[0], next.Upstreams[0]);
    }

    [Fact]
    public void DuplicatedAddress_GetsItsOwnObjectForTheSecondEntry()
    {
        var old = Create(Config([A]), null);

        var next = Create(Config([A, A]), old);

        Assert.Same(old.Upstreams[0], next.Upstreams[0]);
        Assert.NotSame(next.Upstreams[0], next.Upstreams[1]);
    }

    [Fact]
    public void PublicConstructor_BuildsAFreshWorkingCluster()
    {
        var cluster = new UpstreamCluster(Config([A, B]) with { Balance = BalancePolicyKind.LeastConnections });
        cluster.Upstreams[0].OnConnectionStarted();

        Assert.Equal("web", cluster.Name);
        Assert.Same(cluster.Upstreams[1], cluster.Pick(default, []));
    }

    private static UpstreamCluster Create(ClusterConfig config, UpstreamCluster? previous) =>
        UpstreamCluster.Create(config, previous, TimeProvider.System, NullLoggerFactory.Instance);

    private static ClusterConfig Config(HostPort[] addresses, int[]? weights = null) => new()
    {
        Name = "web",
        Upstreams = addresses.Select((a, i) => new UpstreamConfig { Address = a, Weight = weights?[i] ?? 1 }).ToArray(),
    };

    private static void ForceEject(Sluice.Health.Upstream upstream)
    {
        for (var i = 0; i < 3; i++)
        {
            upstream.ReportConnectFailure();
        }
    }
}
