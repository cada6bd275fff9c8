using Microsoft.Extensions.Time.Testing;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Health;

public sealed class PassiveEjectionTests
{
    private static readonly PassiveHealthConfig ThreeFailuresTenSeconds = new() { MaxFailures = 3, EjectionTime = TimeSpan.FromSeconds(10) };
    private static readonly HealthCheckConfig Checks = new() { Rise = 2, Fall = 3 };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void MaxFailuresInARow_Ejects()
    {
        var upstream = UpstreamFixture.Create(_time, passive: ThreeFailuresTenSeconds);

        UpstreamFixture.Fail(upstream, 2);
        Assert.True(upstream.IsHealthy);

        UpstreamFixture.Fail(upstream, 1);
        Assert.False(upstream.IsHealthy);
        Assert.Equal(UpstreamHealthState.Ejected, upstream.State);
        Assert.Equal(_time.GetUtcNow().AddSeconds(10), upstream.GetHealth().EjectedUntil);
    }

    [Fact]
    public void ASuccess_ResetsTheFailureCount()
    {
        var upstream = UpstreamFixture.Create(_time, passive: ThreeFailuresTenSeconds);

        UpstreamFixture.Fail(upstream, 2);
        upstream.ReportConnectSuccess();
        UpstreamFixture.Fail(upstream, 2);

        Assert.True(upstream.IsHealthy);
        Assert.Equal(2, upstream.GetHealth().ConsecutiveConnectFailures);
    }

    [Fact]
    public void MaxFailuresZero_NeverEjects()
    {
        var upstream = UpstreamFixture.Create(_time, passive: new PassiveHealthConfig { MaxFailures = 0 });

        UpstreamFixture.Fail(upstream, 100);

        Assert.True(upstream.IsHealthy);
    }

    [Fact]
    public void WithoutActiveChecks_ReturnsAfterEjectionTime()
    {
        var upstream = UpstreamFixture.Create(_time, passive: ThreeFailuresTenSeconds);
        UpstreamFixture.Fail(upstream, 3);
        var ejectedAt = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(upstream.IsHealthy);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(upstream.IsHealthy);
        var health = upstream.GetHealth();
        Assert.Equal(UpstreamHealthState.Up, health.State);
        Assert.Null(health.EjectedUntil);
        Assert.Equal(ejectedAt.AddSeconds(10), health.LastStateChangeAt);
    }

    [Fact]
    public void Returned_IsOnTrial_OneFailureEjectsAgain()
    {
        var upstream = UpstreamFixture.Create(_time, passive: ThreeFailuresTenSeconds);
        UpstreamFixture.Fail(upstream, 3);
        _time.Advance(TimeSpan.FromSeconds(10));

        UpstreamFixture.Fail(upstream, 1);

        Assert.False(upstream.IsHealthy);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(upstream.IsHealthy);
    }

    [Fact]
    public void Returned_ASuccessEndsTheTrial()
    {
        var upstream = UpstreamFixture.Create(_time, passive: ThreeFailuresTenSeconds);
        UpstreamFixture.Fail(upstream, 3);
        _time.Advance(TimeSpan.FromSeconds(10));

        upstream.ReportConnectSuccess();
        UpstreamFixture.Fail(upstream, 2);

        Assert.True(upstream.IsHealthy);
    }

    [Fact]
    public void WithActiveChecks_EjectionTimeAloneDoesNotReturnIt()
    {
        var upstream = UpstreamFixture.Create(_time, Checks, ThreeFailuresTenSeconds);
        UpstreamFixture.Fail(upstream, 3);

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.False(upstream.IsHealthy);
        Assert.Equal(UpstreamHealthState.Ejected, upstream.State);
        Assert.Null(upstream.GetHealth().EjectedUntil);
    }

    [Fact]
    public void WithActiveChecks_NextPassingCheckReturnsIt_OnTrial()
    {
        var upstream = UpstreamFixture.Create(_time, Checks, ThreeFailuresTenSeconds);
        UpstreamFixture.Fail(upstream, 3);

        UpstreamFixture.Checks(upstream, passed: true, 1);
        Assert.True(upstream.IsHealthy);

        UpstreamFixture.Fail(upstream, 1);
        Assert.False(upstream.IsHealthy);
    }

    [Fact]
    public void WithActiveChecks_FailingChecksKeepItOut()
    {
        var upstream = UpstreamFixture.Create(_time, Checks, ThreeFailuresTenSeconds);
        UpstreamFixture.Checks(upstream, passed: true, 1);
        UpstreamFixture.Fail(upstream, 3);

        UpstreamFixture.Checks(upstream, passed: false, 1);

        Assert.False(upstream.IsHealthy);
        Assert.Equal(UpstreamHealthState.Ejected, upstream.State);
    }

    [Fact]
    public void EjectedAndDown_ReportsDown_AndNeedsRisePasses()
    {
        var upstream = UpstreamFixture.Create(_time, Checks, ThreeFailuresTenSeconds);
        UpstreamFixture.Fail(upstream, 3);
        UpstreamFixture.Checks(upstream, passed: false, 1);
        Assert.Equal(UpstreamHealthState.Down, upstream.State);

        UpstreamFixture.Checks(upstream, passed: true, 1);
        Assert.False(upstream.IsHealthy);

        UpstreamFixture.Checks(upstream, passed: true, 1);
        Assert.True(upstream.IsHealthy);
    }

    [Fact]
    public void FailuresAfterEjection_DoNotExtendIt()
    {
        var upstream = UpstreamFixture.Create(_time, passive: ThreeFailuresTenSeconds);
        UpstreamFixture.Fail(upstream, 3);

        _time.Advance(TimeSpan.FromSeconds(5));
        UpstreamFixture.Fail(upstream, 3);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(upstream.IsHealthy);
    }
}
