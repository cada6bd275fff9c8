using Sluice.Configuration;
using Sluice.Telemetry;

namespace Sluice.Admin;

/// <summary>One entry of GET /api/routes: a proxy route's config and its live counters.</summary>
internal sealed record RouteStatus(
    string Name,
    IReadOnlyList<string> Listen,
    IReadOnlyList<string> Bound,
    string Cluster,
    double ConnectTimeoutSeconds,
    double IdleTimeoutSeconds,
    int MaxConnections,
    int ConnectAttempts,
    long ActiveConnections,
    long TotalConnections,
    long BytesClientToUpstream,
    long BytesUpstreamToClient)
{
    // Timeouts as seconds rather than TimeSpan's "00:00:02": a number a script can compare.
    public static RouteStatus From(ProxyRouteConfig route, RouteCounters counters, IReadOnlyList<System.Net.IPEndPoint> bound) => new(
        route.Name,
        route.Listen.Select(l => l.ToString()).ToArray(),
        bound.Select(b => b.ToString()).ToArray(),
        route.Cluster,
        route.ConnectTimeout.TotalSeconds,
        route.IdleTimeout.TotalSeconds,
        route.MaxConnections,
        route.ConnectAttempts,
        counters.Active,
        counters.Total,
        counters.BytesFromClient,
        counters.BytesToClient);
}
