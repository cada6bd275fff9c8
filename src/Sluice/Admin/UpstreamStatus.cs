using Sluice.Health;

namespace Sluice.Admin;

/// <summary>One upstream of a cluster as GET /api/clusters shows it.</summary>
internal sealed record UpstreamStatus(
    string Address,
    int Weight,
    bool Healthy,
    string State,
    int ActiveConnections,
    int ConsecutiveConnectFailures,
    DateTimeOffset? LastCheckAt,
    bool? LastCheckPassed,
    string? LastCheckError,
    DateTimeOffset LastStateChangeAt,
    DateTimeOffset? EjectedUntil,
    long Ejections)
{
    public static UpstreamStatus From(Upstream upstream)
    {
        var health = upstream.GetHealth();
        return new(
            upstream.Address.ToString(),
            upstream.Weight,
            upstream.IsHealthy,
            health.State switch
            {
                UpstreamHealthState.Up => "up",
                UpstreamHealthState.Down => "down",
                _ => "ejected",
            },
            upstream.ActiveConnections,
            health.ConsecutiveConnectFailures,
            health.LastCheckAt,
            health.LastCheckAt is null ? null : health.LastCheckPassed,
            health.LastCheckError,
            health.LastStateChangeAt,
            health.EjectedUntil,
            health.Ejections);
    }
}
