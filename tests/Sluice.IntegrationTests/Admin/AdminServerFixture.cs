using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Admin;
using Sluice.Configuration;
using Sluice.Telemetry;

namespace Sluice.IntegrationTests.Admin;

/// <summary>
/// A running admin server on 127.0.0.1 port 0 over a fake gateway with two routes and two
/// clusters. Route and cluster names carry a per-instance suffix so a test can tell its own
/// series from another gateway's, should one ever leak into its scrape.
/// </summary>
internal sealed class AdminServerFixture : IAsyncDisposable
{
    private AdminServerFixture(FakeGatewayStatus status, SluiceMetrics metrics, AdminServer server, string suffix)
    {
        Status = status;
        Metrics = metrics;
        Server = server;
        Suffix = suffix;
        Http = new HttpClient { BaseAddress = new Uri($"http://{server.Endpoint}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public FakeGatewayStatus Status { get; }

    public SluiceMetrics Metrics { get; }

    public AdminServer Server { get; }

    public string Suffix { get; }

    public string WebRoute => "web-" + Suffix;

    public string DbRoute => "db-" + Suffix;

    public string WebCluster => "webpool-" + Suffix;

    public string DbCluster => "dbpool-" + Suffix;

    public HttpClient Http { get; }

    public static async Task<AdminServerFixture> StartAsync(ILoggerFactory? loggerFactory = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var config = new SluiceConfig
        {
            Admin = new AdminConfig { Listen = new HostPort("127.0.0.1", 0) },
            Proxies =
            [
                new ProxyRouteConfig
                {
                    Name = "web-" + suffix,
                    Listen = [new HostPort("127.0.0.1", 18080), new HostPort("::1", 18080)],
                    Cluster = "webpool-" + suffix,
                    ConnectTimeout = TimeSpan.FromMilliseconds(1500),
                    MaxConnections = 500,
                },
                new ProxyRouteConfig
                {
                    Name = "db-" + suffix,
                    Listen = [new HostPort("127.0.0.1", 15432)],
                    Cluster = "dbpool-" + suffix,
                },
            ],
            Clusters =
            [
                new ClusterConfig
                {
                    Name = "webpool-" + suffix,
                    Upstreams =
                    [
                        new UpstreamConfig { Address = new HostPort("127.0.0.1", 9001), Weight = 3 },
                        new UpstreamConfig { Address = new HostPort("127.0.0.1", 9002) },
                    ],
                },
                new ClusterConfig
                {
                    Name = "dbpool-" + suffix,
                    Balance = BalancePolicyKind.LeastConnections,
                    Upstreams = [new UpstreamConfig { Address = new HostPort("127.0.0.2", 5432) }],
                },
            ],
        };

        var metrics = new SluiceMetrics();
        var status = new FakeGatewayStatus(config, metrics);
        metrics.ObserveClusters(() => status.Clusters.Values);
        var server = new AdminServer(config.Admin, status, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await server.StartAsync(CancellationToken.None);
        }
        catch
        {
            await server.DisposeAsync();
            metrics.Dispose();
            throw;
        }

        return new AdminServerFixture(status, metrics, server, suffix);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Metrics.Dispose();
    }
}
