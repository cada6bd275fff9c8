namespace Sluice.Admin;

/// <summary>One entry of GET /api/routes: a proxy route's config and its live counters.</summary>
internal sealed record RouteStatus(
    string Name,
    IReadOnlyList<string> Listen,
    string Cluster,
    double ConnectTimeoutSeconds,
    double IdleTimeoutSeconds,
    int MaxConnections,
    int ConnectAttempts,
    long ActiveConnections,
    long TotalConnections,
    long BytesClientToUpstream,
    long BytesUpstreamToClient);
