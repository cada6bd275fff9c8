using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>
/// A cluster's upstreams, its balancing policy and its active health checks; shared by the routes
/// that name it. Owns its <see cref="UpstreamHealthMonitor"/>: <see cref="StartHealthChecks"/>
/// starts it and <see cref="DisposeAsync"/> stops it.
/// </summary>
public sealed class UpstreamCluster : IAsyncDisposable
{
    private readonly Upstream[] _upstreams;
    private readonly ILoadBalancingPolicy _policy;
    private readonly UpstreamHealthMonitor? _monitor;

    /// <summary>A fresh cluster on the system clock without logging; prefer <see cref="Create"/> in the engine.</summary>
    public UpstreamCluster(ClusterConfig config)
        : this(config, previous: null, TimeProvider.System, NullLoggerFactory.Instance, probe: null)
    {
    }

    private UpstreamCluster(ClusterConfig config, UpstreamCluster? previous, TimeProvider time, ILoggerFactory loggers, IUpstreamProbe? probe)
    {
        Config = config;
        _upstreams = CreateUpstreams(config, previous, time, loggers.CreateLogger<Upstream>());
        _policy = LoadBalancingPolicyFactory.Create(config.Balance, _upstreams);
        if (config.Health is { } health)
        {
            _monitor = new UpstreamHealthMonitor(
                config.Name,
                health,
                _upstreams,
                probe ?? new TcpUpstreamProbe(health, time),
                time,
                loggers.CreateLogger<UpstreamHealthMonitor>());
        }
    }

    public ClusterConfig Config { get; }

    public string Name => Config.Name;

    public IReadOnlyList<Upstream> Upstreams => _upstreams;

    /// <summary>
    /// Builds the cluster for <paramref name="config"/>. On a reload pass the cluster it replaces as
    /// <paramref name="previous"/>: when the name and the health settings (active and passive) are
    /// unchanged, an upstream with the same address keeps its <see cref="Upstream"/> object, so its
    /// health and its connection count (decremented by connections still open through the old
    /// cluster) carry over; its weight is updated. Otherwise every upstream starts fresh.
    /// <see cref="StartHealthChecks"/> on the new cluster takes the kept upstreams' checks over from
    /// the old cluster's monitor, so the order of starting the new and disposing the old does not matter.
    /// </summary>
    public static UpstreamCluster Create(ClusterConfig config, UpstreamCluster? previous, TimeProvider time, ILoggerFactory loggers) =>
        new(config, previous, time, loggers, probe: null);

    /// <summary>As <see cref="Create(ClusterConfig, UpstreamCluster?, TimeProvider, ILoggerFactory)"/>, with a stand-in probe for tests.</summary>
    internal static UpstreamCluster Create(ClusterConfig config, UpstreamCluster? previous, TimeProvider time, ILoggerFactory loggers, IUpstreamProbe probe) =>
        new(config, previous, time, loggers, probe);

    /// <summary>
    /// Chooses a healthy upstream not in <paramref name="tried"/>, or null when none is left.
    /// </summary>
    public Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried) => _policy.Pick(in context, tried);

    /// <summary>Starts active checks if the cluster has them; a second call does nothing.</summary>
    public void StartHealthChecks() => _monitor?.Start();

    /// <summary>Stops the active checks and waits for the running ones to end.</summary>
    public ValueTask DisposeAsync() => _monitor?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>True when <paramref name="previous"/>'s upstream objects can serve <paramref name="config"/>.</summary>
    internal static bool CanCarryOver(ClusterConfig config, UpstreamCluster? previous) =>
        previous is not null
        && string.Equals(previous.Name, config.Name, StringComparison.Ordinal)
        && Equals(previous.Config.Health, config.Health)
        && Equals(previous.Config.Passive, config.Passive);

    private static Upstream[] CreateUpstreams(ClusterConfig config, UpstreamCluster? previous, TimeProvider time, ILogger logger)
    {
        Dictionary<HostPort, Upstream>? reusable = null;
        if (CanCarryOver(config, previous))
        {
            reusable = new Dictionary<HostPort, Upstream>(previous!._upstreams.Length);
            foreach (var upstream in previous._upstreams)
            {
                reusable.TryAdd(upstream.Address, upstream);
            }
        }

        var upstreams = new Upstream[config.Upstreams.Count];
        for (var i = 0; i < upstreams.Length; i++)
        {
            var upstreamConfig = config.Upstreams[i];

            // Remove, so a duplicated address in the new config gets its own object rather than a shared one.
            if (reusable is not null && reusable.Remove(upstreamConfig.Address, out var kept))
            {
                kept.UpdateWeight(upstreamConfig.Weight);
                upstreams[i] = kept;
            }
            else
            {
                upstreams[i] = new Upstream(upstreamConfig, config.Name, config.Health, config.Passive, time, logger);
            }
        }

        return upstreams;
    }
}
