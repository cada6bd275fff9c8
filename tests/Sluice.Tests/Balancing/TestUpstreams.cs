using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Balancing;

/// <summary>Upstreams for policy tests: no sockets, health flipped through the same calls the engine makes.</summary>
internal static class TestUpstreams
{
    private static readonly HealthCheckConfig Checks = new() { Rise = 1, Fall = 1 };

    public static Upstream[] WithWeights(params int[] weights)
    {
        var upstreams = new Upstream[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            var config = new UpstreamConfig { Address = new HostPort("10.0.0." + (i + 1), 8080), Weight = weights[i] };
            upstreams[i] = new Upstream(config, "test", Checks, new PassiveHealthConfig(), TimeProvider.System, NullLogger.Instance);
        }

        return upstreams;
    }

    public static Upstream[] Equal(int count) => WithWeights(Enumerable.Repeat(1, count).ToArray());

    public static void MarkDown(Upstream upstream) => upstream.RecordCheck(passed: false, "test");

    public static void MarkUp(Upstream upstream) => upstream.RecordCheck(passed: true, null);

    public static void Load(Upstream upstream, int connections)
    {
        for (var i = 0; i < connections; i++)
        {
            upstream.OnConnectionStarted();
        }
    }

    public static Dictionary<Upstream, int> Count(Func<Upstream?> pick, int picks)
    {
        var counts = new Dictionary<Upstream, int>();
        for (var i = 0; i < picks; i++)
        {
            var chosen = pick() ?? throw new InvalidOperationException("pick returned null");
            counts[chosen] = counts.GetValueOrDefault(chosen) + 1;
        }

        return counts;
    }
}
