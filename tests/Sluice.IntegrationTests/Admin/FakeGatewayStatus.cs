using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Hosting;
using Sluice.Telemetry;

namespace Sluice.IntegrationTests.Admin;

/// <summary>A gateway that is only its config: live clusters built from it, draining flipped by the test.</summary>
internal sealed class FakeGatewayStatus(SluiceConfig config, SluiceMetrics metrics) : IGatewayStatus
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public SluiceConfig Config { get; } = config;

    public IReadOnlyDictionary<string, UpstreamCluster> Clusters { get; } =
        config.Clusters.ToDictionary(c => c.Name, c => new UpstreamCluster(c), StringComparer.Ordinal);

    public SluiceMetrics Metrics { get; } = metrics;

    public void StartDraining() => _draining = true;

    public IReadOnlyList<System.Net.IPEndPoint> EndpointsOf(string name) => [];
}
