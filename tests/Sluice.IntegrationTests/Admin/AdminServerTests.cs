using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Admin;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Admin;

public sealed class AdminServerTests
{
    [Fact]
    public async Task StartAsync_PortZero_BindsARealLoopbackPort()
    {
        await using var admin = await AdminServerFixture.StartAsync();

        Assert.Equal(IPAddress.Loopback, admin.Server.Endpoint.Address);
        Assert.NotEqual(0, admin.Server.Endpoint.Port);
    }

    [Fact]
    public async Task StartAsync_LocalhostPortZero_BindsOneLoopbackAddress()
    {
        await using var admin = await AdminServerFixture.StartAsync();
        await using var byName = new AdminServer(new AdminConfig { Listen = new HostPort("localhost", 0) }, admin.Status, NullLoggerFactory.Instance);

        await byName.StartAsync(CancellationToken.None);

        var endpoint = Assert.Single(byName.Endpoints);
        Assert.True(IPAddress.IsLoopback(endpoint.Address));
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://{endpoint}/healthz"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StartAsync_PortInUse_ThrowsAndStillDisposesCleanly()
    {
        await using var first = await AdminServerFixture.StartAsync();
        var taken = new AdminConfig { Listen = new HostPort("127.0.0.1", first.Server.Endpoint.Port) };
        var second = new AdminServer(taken, first.Status, NullLoggerFactory.Instance);

        await Assert.ThrowsAnyAsync<IOException>(() => second.StartAsync(CancellationToken.None));
        await second.DisposeAsync();

        using var stillServing = await first.Http.GetAsync(new Uri("healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stillServing.StatusCode);
    }

    [Fact]
    public async Task Logs_GoToTheGatewayFactory_WithoutKestrelChatter()
    {
        var capture = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(capture));
        await using (var admin = await AdminServerFixture.StartAsync(factory))
        {
            using var response = await admin.Http.GetAsync(new Uri("healthz", UriKind.Relative));
        }

        var entries = capture.Entries.ToArray();
        Assert.Contains(entries, e => e.Id.Name == "AdminListening" && e.Message.Contains("127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Id.Name == "AdminStopped");
        Assert.DoesNotContain(entries, e => e.Category.StartsWith("Microsoft.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Healthz_AnswersOkUntilDrainingThen503()
    {
        await using var admin = await AdminServerFixture.StartAsync();

        using (var ok = await admin.Http.GetAsync(new Uri("healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("ok", (await ok.Content.ReadAsStringAsync()).Trim());
        }

        admin.Status.StartDraining();

        using var draining = await admin.Http.GetAsync(new Uri("healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.StatusCode);
        Assert.Equal("draining", (await draining.Content.ReadAsStringAsync()).Trim());
        using var head = await admin.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("healthz", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
    }

    [Fact]
    public async Task UnknownPath_Is404()
    {
        await using var admin = await AdminServerFixture.StartAsync();

        using var response = await admin.Http.GetAsync(new Uri("api/nothing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ApiRoutes_ShowsConfigAndLiveCounters()
    {
        await using var admin = await AdminServerFixture.StartAsync();
        var web = admin.Metrics.ForRoute(admin.WebRoute);
        web.ConnectionOpened();
        web.ConnectionOpened();
        web.ConnectionClosed();
        web.AddBytesFromClient(1234);
        web.AddBytesToClient(56789);

        using var json = await GetJsonAsync(admin, "api/routes");

        var routes = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, routes.Length);
        var route = routes.Single(r => r.GetProperty("name").GetString() == admin.WebRoute);
        Assert.Equal(["127.0.0.1:18080", "[::1]:18080"], route.GetProperty("listen").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(admin.WebCluster, route.GetProperty("cluster").GetString());
        Assert.Equal(1.5, route.GetProperty("connect_timeout_seconds").GetDouble());
        Assert.Equal(600, route.GetProperty("idle_timeout_seconds").GetDouble());
        Assert.Equal(500, route.GetProperty("max_connections").GetInt32());
        Assert.Equal(1, route.GetProperty("active_connections").GetInt64());
        Assert.Equal(2, route.GetProperty("total_connections").GetInt64());
        Assert.Equal(1234, route.GetProperty("bytes_client_to_upstream").GetInt64());
        Assert.Equal(56789, route.GetProperty("bytes_upstream_to_client").GetInt64());
        var db = routes.Single(r => r.GetProperty("name").GetString() == admin.DbRoute);
        Assert.Equal(0, db.GetProperty("total_connections").GetInt64());
    }

    [Fact]
    public async Task ApiClusters_ShowsUpstreamsWithWeightHealthAndConnections()
    {
        await using var admin = await AdminServerFixture.StartAsync();
        var upstream = admin.Status.Clusters[admin.WebCluster].Upstreams[0];
        upstream.OnConnectionStarted();
        upstream.OnConnectionStarted();

        using var json = await GetJsonAsync(admin, "api/clusters");

        var clusters = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal([admin.WebCluster, admin.DbCluster], clusters.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("round_robin", clusters[0].GetProperty("balance").GetString());
        Assert.Equal("least_connections", clusters[1].GetProperty("balance").GetString());
        var first = clusters[0].GetProperty("upstreams")[0];
        Assert.Equal("127.0.0.1:9001", first.GetProperty("address").GetString());
        Assert.Equal(3, first.GetProperty("weight").GetInt32());
        Assert.True(first.GetProperty("healthy").GetBoolean());
        Assert.Equal(2, first.GetProperty("active_connections").GetInt32());
        Assert.Equal("127.0.0.2:5432", clusters[1].GetProperty("upstreams")[0].GetProperty("address").GetString());
    }

    [Fact]
    public async Task Metrics_ShowsRouteSeriesAndRuntimeMetrics_AndFollowsCountersBetweenScrapes()
    {
        await using var admin = await AdminServerFixture.StartAsync();
        var web = admin.Metrics.ForRoute(admin.WebRoute);
        web.ConnectionOpened();
        web.AddBytesFromClient(100);
        web.AddBytesToClient(2000);
        admin.Metrics.ConnectionError(admin.WebRoute, "no_upstream");
        admin.Metrics.ConnectionDuration(admin.WebRoute, TimeSpan.FromSeconds(2));
        admin.Metrics.UpstreamConnectDuration(admin.WebCluster, "127.0.0.1:9001", TimeSpan.FromMilliseconds(3), success: true);

        var text = await GetTextAsync(admin, "metrics");

        var route = $"route=\"{admin.WebRoute}\"";
        Assert.Equal("1", Sample(text, "sluice_connections_total", route));
        Assert.Equal("1", Sample(text, "sluice_connections_active", route));
        Assert.Equal("100", Sample(text, "sluice_transferred_bytes_total", route, "direction=\"client_to_upstream\""));
        Assert.Equal("2000", Sample(text, "sluice_transferred_bytes_total", route, "direction=\"upstream_to_client\""));
        Assert.Equal("1", Sample(text, "sluice_connection_errors_total", route, "reason=\"no_upstream\""));
        Assert.Equal("1", Sample(text, "sluice_connection_duration_seconds_count", route));
        Assert.Equal("1", Sample(text, "sluice_upstream_connect_duration_seconds_count", $"cluster=\"{admin.WebCluster}\"", "result=\"ok\""));
        Assert.Equal("1", Sample(text, "sluice_upstream_healthy", $"cluster=\"{admin.WebCluster}\"", "upstream=\"127.0.0.1:9001\""));
        Assert.Matches(@"\ndotnet_gc_heap_total_allocated_bytes_total(\{\})? [0-9]+", text);
        Assert.Matches(@"\n# TYPE dotnet_thread_pool_queue_length gauge\n", text);
        Assert.DoesNotContain("dotnet_thread_pool_queue_length_total", text, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.Matches(@"\nprocess_open_fds(\{\})? [1-9][0-9]*", text);
        }


        // Observable instruments are read at scrape time and the exporter's cache is off, so the
        // very next scrape shows a change.
        web.ConnectionOpened();
        web.AddBytesFromClient(5);
        var again = await GetTextAsync(admin, "metrics");
        Assert.Equal("2", Sample(again, "sluice_connections_total", route));
        Assert.Equal("105", Sample(again, "sluice_transferred_bytes_total", route, "direction=\"client_to_upstream\""));
    }

    [Fact]
    public async Task Metrics_ShowsOnlyItsOwnGateway_AndOutlivesAnotherGatewaysMetrics()
    {
        await using var admin = await AdminServerFixture.StartAsync();
        admin.Metrics.ForRoute(admin.WebRoute).ConnectionOpened();
        var other = await AdminServerFixture.StartAsync();
        other.Metrics.ForRoute(other.WebRoute).ConnectionOpened();

        var both = await GetTextAsync(admin, "metrics");
        await other.DisposeAsync();
        admin.Metrics.ForRoute(admin.WebRoute).ConnectionOpened();
        var after = await GetTextAsync(admin, "metrics");

        Assert.DoesNotContain(other.WebRoute, both, StringComparison.Ordinal);
        Assert.Equal("1", Sample(both, "sluice_connections_total", $"route=\"{admin.WebRoute}\""));
        Assert.Equal("2", Sample(after, "sluice_connections_total", $"route=\"{admin.WebRoute}\""));
    }

    [SkippableFact]
    public async Task Metrics_PassesPromtoolCheckMetrics()
    {
        var promtool = Peer.Require("promtool", "prometheus");
        await using var admin = await AdminServerFixture.StartAsync();
        var web = admin.Metrics.ForRoute(admin.WebRoute);
        web.ConnectionOpened();
        web.AddBytesToClient(10);
        admin.Metrics.ConnectionError(admin.DbRoute, "limit");
        admin.Metrics.ConnectionDuration(admin.WebRoute, TimeSpan.FromMilliseconds(20));
        admin.Metrics.UpstreamConnectDuration(admin.DbCluster, "127.0.0.2:5432", TimeSpan.FromSeconds(1), success: false);
        var text = await GetTextAsync(admin, "metrics");

        await ProcessRunner.AssertPromtoolAcceptsAsync(promtool, text);
    }

    private static async Task<JsonDocument> GetJsonAsync(AdminServerFixture admin, string path)
    {
        using var response = await admin.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> GetTextAsync(AdminServerFixture admin, string path)
    {
        using var response = await admin.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static string Sample(string text, string name, params string[] labels)
    {
        var matches = text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .ToArray();
        Assert.True(matches.Length == 1, $"expected one {name} sample with {string.Join(",", labels)}, found {matches.Length} in:\n{text}");
        var line = matches[0];
        var value = line[(line.LastIndexOf('}') + 1)..].Trim();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? value : value[..space];
    }
}
