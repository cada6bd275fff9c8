using Sluice.Health;

namespace Sluice.Admin;

/// <summary>One upstream of a cluster as GET /api/clusters shows it.</summary>
internal sealed record UpstreamStatus(
    string Address,
    int Weight,
    bool Healthy,
    int ActiveConnections)
{
    public static UpstreamStatus From(Upstream upstream) =>
        new(upstream.Address.ToString(), upstream.Weight, upstream.IsHealthy, upstream.ActiveConnections);
}
