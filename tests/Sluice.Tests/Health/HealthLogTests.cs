using Microsoft.Extensions.Time.Testing;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Health;

public sealed class HealthLogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLogger _logger = new();

    [Fact]
    public void EveryTransition_IsLoggedOnce_WithItsStableEventId()
    {
        var upstream = new Upstream(UpstreamFixture.Config, "web", new HealthCheckConfig { Rise = 1, Fall = 1 }, new PassiveHealthConfig { MaxFailures = 1 }, _time, _logger);

        upstream.RecordCheck(passed: false, "connect_refused");
        upstream.RecordCheck(passed: false, "connect_refused");
        upstream.RecordCheck(passed: true, null);
        upstream.ReportConnectFailure();
        upstream.RecordCheck(passed: true, null);

        Assert.Equal(["UpstreamDown", "UpstreamUp", "UpstreamEjectedUntilCheck", "UpstreamReturned"], _logger.Entries.Select(e => e.Id.Name));
        var down = _logger.Entries.First();
        Assert.Equal(3001, down.Id.Id);
        Assert.Contains("10.1.1.1:9000", down.Message, StringComparison.Ordinal);
        Assert.Contains("web", down.Message, StringComparison.Ordinal);
        Assert.Contains("connect_refused", down.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EjectionWithoutChecks_LogsWhenItReturns()
    {
        var upstream = new Upstream(UpstreamFixture.Config, "web", null, new PassiveHealthConfig { MaxFailures = 1, EjectionTime = TimeSpan.FromSeconds(30) }, _time, _logger);

        upstream.ReportConnectFailure();
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal([3003, 3004], _logger.Entries.Select(e => e.Id.Id));
        Assert.Contains("00:00:30", _logger.Entries.First().Message, StringComparison.Ordinal);
        Assert.Equal(1, upstream.GetHealth().Ejections);
    }
}
