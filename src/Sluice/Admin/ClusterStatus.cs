using System.Text.Json;
using Sluice.Balancing;

namespace Sluice.Admin;

/// <summary>One entry of GET /api/clusters.</summary>
internal sealed record ClusterStatus(
    string Name,
    string Balance,
    IReadOnlyList<UpstreamStatus> Upstreams)
{
    // The balance policy is spelled as in sluice.toml ("least_connections").
    public static ClusterStatus From(UpstreamCluster cluster) => new(
        cluster.Name,
        JsonNamingPolicy.SnakeCaseLower.ConvertName(cluster.Config.Balance.ToString()),
        cluster.Upstreams.Select(UpstreamStatus.From).ToArray());
}
