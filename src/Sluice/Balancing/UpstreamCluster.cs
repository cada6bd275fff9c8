using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>A cluster's upstreams and its balancing policy; shared by the routes that name it.</summary>
public sealed class UpstreamCluster
{
    private int _next;

    public UpstreamCluster(ClusterConfig config)
    {
        Config = config;
        Upstreams = config.Upstreams.Select(u => new Upstream(u)).ToArray();
    }

    public ClusterConfig Config { get; }

    public string Name => Config.Name;

    public IReadOnlyList<Upstream> Upstreams { get; }

    /// <summary>
    /// Chooses a healthy upstream not in <paramref name="tried"/>, or null when none is left.
    /// </summary>
    public Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried)
    {
        var count = Upstreams.Count;
        for (var i = 0; i < count; i++)
        {
            var candidate = Upstreams[(int)((uint)Interlocked.Increment(ref _next) % (uint)count)];
            if (candidate.IsHealthy && !tried.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
