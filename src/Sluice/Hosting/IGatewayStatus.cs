using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Telemetry;

namespace Sluice.Hosting;

/// <summary>What the admin endpoint reads of the running gateway. Every member reflects the current config.</summary>
public interface IGatewayStatus
{
    /// <summary>True from the first SIGTERM/SIGINT on: /healthz answers 503.</summary>
    bool IsDraining { get; }

    SluiceConfig Config { get; }

    /// <summary>The live clusters, by name (replaced on reload).</summary>
    IReadOnlyDictionary<string, UpstreamCluster> Clusters { get; }

    SluiceMetrics Metrics { get; }

    /// <summary>The addresses a route or echo server is bound to now (with port 0 configured, the real port).</summary>
    IReadOnlyList<System.Net.IPEndPoint> EndpointsOf(string name);
}
