using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;

namespace Sluice.Health;

/// <summary>
/// One upstream's live state: health from active checks and passive ejection, and its open
/// connection count. Shared by every route that uses its cluster (and, across a reload, by the
/// old and new cluster); thread-safe.
/// </summary>
/// <remarks>
/// The hot path (<see cref="IsHealthy"/>, the connection counters, <see cref="ReportConnectSuccess"/>)
/// reads or bumps single fields without a lock; health transitions are rare and take
/// <c>_gate</c>. See Upstream.Health.cs for the state machine.
/// </remarks>
public sealed partial class Upstream
{
    private readonly HealthCheckConfig? _active;
    private readonly PassiveHealthConfig _passive;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _cluster;
    private int _weight;
    private int _activeConnections;
    private object? _checkOwner;

    /// <summary>An upstream with no active checks and the default passive ejection.</summary>
    public Upstream(UpstreamConfig config)
        : this(config, cluster: "", active: null, new PassiveHealthConfig(), TimeProvider.System, NullLogger.Instance)
    {
    }

    internal Upstream(UpstreamConfig config, string cluster, HealthCheckConfig? active, PassiveHealthConfig passive, TimeProvider time, ILogger logger)
    {
        Address = config.Address;
        AddressText = config.Address.ToString();
        LiteralEndPoint = config.Address.Ip is { } ip ? new System.Net.IPEndPoint(ip, config.Address.Port) : null;
        _weight = config.Weight;
        _cluster = cluster;
        _active = active;
        _passive = passive;
        _time = time;
        _logger = logger;
        _lastStateChangeAt = time.GetUtcNow();
    }

    public HostPort Address { get; }

    /// <summary><see cref="Address"/> as text, made once for logs and metric labels.</summary>
    public string AddressText { get; }

    /// <summary>The address when it is an IP literal (no DNS on connect), else null.</summary>
    public System.Net.IPEndPoint? LiteralEndPoint { get; }

    /// <summary>The configured weight; a reload that keeps this upstream may change it.</summary>
    public int Weight => Volatile.Read(ref _weight);

    /// <summary>Offered to new connections: up by active checks and not passively ejected.</summary>
    public bool IsHealthy => _offered;

    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    public void OnConnectionStarted() => Interlocked.Increment(ref _activeConnections);

    public void OnConnectionEnded() => Interlocked.Decrement(ref _activeConnections);

    public override string ToString() => AddressText;

    internal void UpdateWeight(int weight) => Volatile.Write(ref _weight, weight);

    /// <summary>
    /// Makes <paramref name="monitor"/> the only one checking this upstream. A reload hands the
    /// upstream to the new cluster's monitor; the old monitor's loop sees it lost the claim and
    /// stops, so the two never both count toward rise/fall, whichever order the reload starts and
    /// stops them in.
    /// </summary>
    internal void ClaimChecks(object monitor) => Volatile.Write(ref _checkOwner, monitor);

    internal bool IsCheckedBy(object monitor) => ReferenceEquals(Volatile.Read(ref _checkOwner), monitor);
}
