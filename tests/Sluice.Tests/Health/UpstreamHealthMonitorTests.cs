using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Health;

/// <summary>The check schedule on a fake clock with a scripted probe; the real probe is covered by the integration tests.</summary>
public sealed class UpstreamHealthMonitorTests
{
    private static readonly HealthCheckConfig Checks = new() { Interval = TimeSpan.FromSeconds(2), Rise = 2, Fall = 2 };
    private static readonly HostPort A = new("10.2.0.1", 80);
    private static readonly HostPort B = new("10.2.0.2", 80);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedProbe _probe = new();

    [Fact]
    public async Task FailingChecks_TakeTheUpstreamDown_PassingOnesBringItBack()
    {
        await using var cluster = CreateCluster();
        var a = cluster.Upstreams[0];
        _probe.Answer(A, () => ProbeResult.Pass);
        cluster.StartHealthChecks();
        await AdvanceUntil(() => _probe.Calls(A) >= 2);
        Assert.True(a.IsHealthy);

        _probe.Answer(A, () => ProbeResult.Fail("connect_refused"));
        await AdvanceUntil(() => !a.IsHealthy);
        Assert.Equal("connect_refused", a.GetHealth().LastCheckError);

        _probe.Answer(A, () => ProbeResult.Pass);
        await AdvanceUntil(() => a.IsHealthy);
        Assert.True(cluster.Upstreams[1].IsHealthy);
    }

    [Fact]
    public async Task ChecksRunAboutOncePerInterval()
    {
        await using var cluster = CreateCluster();
        cluster.StartHealthChecks();

        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(200));
            await Task.Delay(2);
        }

        // 20 s of fake time at a 2 s interval with ±10% jitter: at most 11; fewer if a loop lags the fake clock.
        Assert.InRange(_probe.Calls(A), 5, 12);
    }

    [Fact]
    public async Task AHangingCheck_DoesNotDelayOtherUpstreams()
    {
        await using var cluster = CreateCluster();
        _probe.Hang(A);
        cluster.StartHealthChecks();

        await AdvanceUntil(() => _probe.Calls(B) >= 3);

        Assert.Equal(1, _probe.Calls(A));
    }

    [Fact]
    public async Task AThrowingProbe_CountsAsAFailure_AndChecksGoOn()
    {
        await using var cluster = CreateCluster();
        var a = cluster.Upstreams[0];
        _probe.Answer(A, () => throw new InvalidOperationException("boom"));
        cluster.StartHealthChecks();

        await AdvanceUntil(() => _probe.Calls(A) >= 3);

        Assert.False(a.IsHealthy);
        Assert.Contains("boom", a.GetHealth().LastCheckError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_StopsChecks_EvenOneThatHangs()
    {
        var cluster = CreateCluster();
        _probe.Hang(A);
        cluster.StartHealthChecks();
        await AdvanceUntil(() => _probe.Calls(B) >= 1);

        await cluster.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var calls = _probe.Calls(B);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(20);

        Assert.Equal(calls, _probe.Calls(B));
    }

    [Fact]
    public async Task ClusterWithoutHealthConfig_RunsNoChecks()
    {
        await using var cluster = UpstreamCluster.Create(
            new ClusterConfig { Name = "plain", Upstreams = [new() { Address = A }] }, null, _time, NullLoggerFactory.Instance, _probe);
        cluster.StartHealthChecks();

        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(20);

        Assert.Equal(0, _probe.Calls(A));
        Assert.True(cluster.Upstreams[0].IsHealthy);
    }

    [Fact]
    public async Task Reload_NewClusterTakesOverChecks_OldStopsCheckingSharedUpstreams()
    {
        await using var old = CreateCluster();
        old.StartHealthChecks();
        await AdvanceUntil(() => _probe.Calls(A) >= 1);
        var newProbe = new ScriptedProbe();
        await using var next = UpstreamCluster.Create(old.Config, old, _time, NullLoggerFactory.Instance, newProbe);
        Assert.Same(old.Upstreams[0], next.Upstreams[0]);

        next.StartHealthChecks();
        await AdvanceUntil(() => newProbe.Calls(A) >= 2);
        var oldCalls = _probe.Calls(A);
        await AdvanceUntil(() => newProbe.Calls(A) >= 6);

        // At most the one check the old loop had already begun when the claim moved.
        Assert.InRange(_probe.Calls(A), oldCalls, oldCalls + 1);
    }

    private UpstreamCluster CreateCluster() => UpstreamCluster.Create(
        new ClusterConfig { Name = "checked", Upstreams = [new() { Address = A }, new() { Address = B }], Health = Checks },
        null,
        _time,
        NullLoggerFactory.Instance,
        _probe);

    /// <summary>Moves the fake clock in small steps, giving the check loops real time to run, until the condition holds.</summary>
    private async Task AdvanceUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(2);
        }

        Assert.True(condition());
    }
}
