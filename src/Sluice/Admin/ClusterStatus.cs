namespace Sluice.Admin;

/// <summary>One entry of GET /api/clusters.</summary>
internal sealed record ClusterStatus(
    string Name,
    string Balance,
    IReadOnlyList<UpstreamStatus> Upstreams);
