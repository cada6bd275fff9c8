using Microsoft.Extensions.Time.Testing;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Health;

public sealed class ActiveHealthTests
{
    private static readonly HealthCheckConfig RiseTwoFallThree = new() { Rise = 2, Fall = 3 };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void NewUpstream_IsHealthy_SoTrafficFlowsBeforeTheFirstCheck()
    {
        var upstream = UpstreamFixture.Create(_time, RiseTwoFallThree);

        Assert.True(upstream.IsHealthy);
        Assert.Equal(UpstreamHealthState.Up, upstream.State);
        Assert.Null(upstream.GetHealth().LastCheckAt);
    }

    [Fact]
    public void FirstCheckFails_GoesDownAtOnce()
    {
        var upstream = UpstreamFixture.Create(_time, RiseTwoFallThree);

        UpstreamFixture.Checks(upstream, passed: false, 1);

        Assert.False(upstream.IsHealthy);
        Assert.Equal(UpstreamHealthState.Down, upstream.State);
    }

    [Fact]
    public void ProvenUp_GoesDownOnlyAfterFallFailures()
    {
        var upstream = UpstreamFixture.Create(_time, RiseTwoFallThree);
        UpstreamFixture.Checks(upstream, passed: true, 1);

        UpstreamFixture.Checks(upstream, passed: false, 2);
        Assert.True(upstream.IsHealthy);

        UpstreamFixture.Checks(upstream, passed: false, 1);
        Assert.False(upstream.IsHealthy);
        Assert.Equal(3, upstream.GetHealth().ConsecutiveCheckFailures);
    }

    [Fact]
    public void APassBetweenFailures_RestartsTheFallCount()
    {
        var upstream = UpstreamFixture.Create(_time, RiseTwoFallThree);
        UpstreamFixture.Checks(upstream, passed: true, 1);

        UpstreamFixture.Checks(upstream, passed: false, 2);
        UpstreamFixture.Checks(upstream, passed: true, 1);
        UpstreamFixture.Checks(upstream, passed: false, 2);

        Assert.True(upstream.IsHealthy);
    }

    [Fact]
    public void Down_ComesBackOnlyAfterRisePasses()
    {
        var upstream = UpstreamFixture.Create(_time, RiseTwoFallThree);
        UpstreamFixture.Checks(upstream, passed: false, 1);

        UpstreamFixture.Checks(upstream, passed: true, 1);
        Assert.False(upstream.IsHealthy);

        UpstreamFixture.Checks(upstream, passed: false, 1);
        UpstreamFixture.Checks(upstream, passed: true, 1);
        Assert.False(upstream.IsHealthy);

        UpstreamFixture.Checks(upstream, passed: true, 1);
        Assert.True(upstream.IsHealthy);
        Assert.Equal(UpstreamHealthState.Up, upstream.State);
    }

    [Fact]
    public void Snapshot_RecordsLastCheckAndStateChange()
    {
        var upstream = UpstreamFixture.Create(_time, RiseTwoFallThree);
        var created = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromSeconds(5));
        UpstreamFixture.Checks(upstream, passed: true, 1);
        var afterPass = upstream.GetHealth();
        Assert.True(afterPass.LastCheckPassed);
        Assert.Equal(created.AddSeconds(5), afterPass.LastCheckAt);
        Assert.Equal(created, afterPass.LastStateChangeAt);
        Assert.Equal(1, afterPass.ConsecutiveCheckPasses);

        _time.Advance(TimeSpan.FromSeconds(5));
        UpstreamFixture.Checks(upstream, passed: false, 3);
        var afterDown = upstream.GetHealth();
        Assert.False(afterDown.LastCheckPassed);
        Assert.Equal("connect_refused", afterDown.LastCheckError);
        Assert.Equal(created.AddSeconds(10), afterDown.LastStateChangeAt);
        Assert.Equal(UpstreamHealthState.Down, afterDown.State);
        Assert.Equal(0, afterDown.ConsecutiveCheckPasses);
    }
}
