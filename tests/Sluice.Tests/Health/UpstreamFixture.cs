using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Health;

/// <summary>Builds an upstream on a fake clock so ejection times pass without sleeping.</summary>
internal static class UpstreamFixture
{
    public static readonly UpstreamConfig Config = new() { Address = new HostPort("10.1.1.1", 9000) };

    public static Upstream Create(FakeTimeProvider time, HealthCheckConfig? active = null, PassiveHealthConfig? passive = null) =>
        new(Config, "test", active, passive ?? new PassiveHealthConfig(), time, NullLogger.Instance);

    public static void Fail(Upstream upstream, int times)
    {
        for (var i = 0; i < times; i++)
        {
            upstream.ReportConnectFailure();
        }
    }

    public static void Checks(Upstream upstream, bool passed, int times)
    {
        for (var i = 0; i < times; i++)
        {
            upstream.RecordCheck(passed, passed ? null : "connect_refused");
        }
    }
}
