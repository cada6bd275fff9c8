using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sluice.Balancing;

namespace Sluice.Telemetry;

/// <summary>
/// The engine's instruments on the "Sluice" meter. Names follow OpenTelemetry conventions; the
/// Prometheus exporter turns "sluice.connections.active" into sluice_connections_active.
/// </summary>
public sealed class SluiceMetrics : IDisposable
{
    public const string MeterName = "Sluice";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, RouteCounters> _routes = new(StringComparer.Ordinal);
    private readonly Counter<long> _connectionErrors;
    private readonly Histogram<double> _upstreamConnectDuration;
    private readonly Histogram<double> _connectionDuration;
    // Swapped on reload by the host while a scrape may be reading it.
    private volatile Func<IEnumerable<UpstreamCluster>> _clusters = static () => [];

    public SluiceMetrics()
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableUpDownCounter(
            "sluice.connections.active",
            () => _routes.Values.Select(r => new Measurement<long>(r.Active, new KeyValuePair<string, object?>("route", r.Route))),
            unit: "{connection}",
            description: "Client connections open now, per route.");
        _meter.CreateObservableCounter(
            "sluice.connections",
            () => _routes.Values.Select(r => new Measurement<long>(r.Total, new KeyValuePair<string, object?>("route", r.Route))),
            unit: "{connection}",
            description: "Client connections accepted, per route.");
        _meter.CreateObservableCounter(
            "sluice.transferred",
            ObserveBytes,
            unit: "By",
            description: "Bytes forwarded per route and direction (client_to_upstream, upstream_to_client).");
        _meter.CreateObservableGauge(
            "sluice.upstream.healthy",
            ObserveHealth,
            unit: "{upstream}",
            description: "1 when the upstream is offered to new connections, 0 when it is down or ejected.");
        _meter.CreateObservableUpDownCounter(
            "sluice.upstream.connections.active",
            ObserveUpstreamConnections,
            unit: "{connection}",
            description: "Proxied connections open now, per upstream.");
        _connectionErrors = _meter.CreateCounter<long>(
            "sluice.connection.errors",
            unit: "{connection}",
            description: "Client connections refused or failed, by route and reason.");
        _upstreamConnectDuration = _meter.CreateHistogram<double>(
            "sluice.upstream.connect.duration",
            unit: "s",
            description: "Time to connect to an upstream, successful or not.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _connectionDuration = _meter.CreateHistogram<double>(
            "sluice.connection.duration",
            unit: "s",
            description: "Lifetime of proxied client connections.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 21600, 86400] });
    }

    /// <summary>
    /// This instance's meter. Every SluiceMetrics uses the meter name "Sluice", so an exporter
    /// that must show one gateway's numbers (tests run several in one process) selects by instance.
    /// </summary>
    internal Meter Meter => _meter;

    /// <summary>The counters for a route, created on first use and kept across reloads.</summary>
    public RouteCounters ForRoute(string route) => _routes.GetOrAdd(route, static r => new RouteCounters(r));

    /// <summary>Tells the health gauges where to find the live clusters (they change on reload).</summary>
    public void ObserveClusters(Func<IEnumerable<UpstreamCluster>> clusters) => _clusters = clusters;

    public void ConnectionError(string route, string reason) =>
        _connectionErrors.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("reason", reason));

    public void UpstreamConnectDuration(string cluster, string upstream, TimeSpan elapsed, bool success) =>
        _upstreamConnectDuration.Record(
            elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("cluster", cluster),
            new KeyValuePair<string, object?>("upstream", upstream),
            new KeyValuePair<string, object?>("result", success ? "ok" : "error"));

    public void ConnectionDuration(string route, TimeSpan elapsed) =>
        _connectionDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("route", route));

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveBytes()
    {
        foreach (var r in _routes.Values)
        {
            yield return new Measurement<long>(r.BytesFromClient, new KeyValuePair<string, object?>("route", r.Route), new KeyValuePair<string, object?>("direction", "client_to_upstream"));
            yield return new Measurement<long>(r.BytesToClient, new KeyValuePair<string, object?>("route", r.Route), new KeyValuePair<string, object?>("direction", "upstream_to_client"));
        }
    }

    private IEnumerable<Measurement<int>> ObserveHealth()
    {
        foreach (var cluster in _clusters())
        {
            foreach (var upstream in cluster.Upstreams)
            {
                yield return new Measurement<int>(
                    upstream.IsHealthy ? 1 : 0,
                    new KeyValuePair<string, object?>("cluster", cluster.Name),
                    new KeyValuePair<string, object?>("upstream", upstream.Address.ToString()));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveUpstreamConnections()
    {
        foreach (var cluster in _clusters())
        {
            foreach (var upstream in cluster.Upstreams)
            {
                yield return new Measurement<int>(
                    upstream.ActiveConnections,
                    new KeyValuePair<string, object?>("cluster", cluster.Name),
                    new KeyValuePair<string, object?>("upstream", upstream.Address.ToString()));
            }
        }
    }
}
