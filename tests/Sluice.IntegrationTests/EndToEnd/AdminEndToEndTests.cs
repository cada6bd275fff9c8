using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Admin;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

/// <summary>The admin endpoint over the real gateway, after real traffic: what an operator's scripts and Prometheus read.</summary>
public sealed class AdminEndToEndTests
{
    private const int OneMiB = 1 << 20;

    [Fact]
    public async Task AfterOneMiBThroughTheRoute_ApiAndMetricsReportTheBytes_AndTheUpstreamsUp()
    {
        await using var env = await AdminOverGateway.StartAsync();

        using var routes = await env.GetJsonAsync("api/routes");
        var route = routes.RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "p");
        Assert.Equal(OneMiB, route.GetProperty("bytes_client_to_upstream").GetInt64());
        Assert.Equal(OneMiB, route.GetProperty("bytes_upstream_to_client").GetInt64());
        Assert.Equal([env.Gateway.EndPoint("p").ToString()], route.GetProperty("bound").EnumerateArray().Select(b => b.GetString()));

        using var clusters = await env.GetJsonAsync("api/clusters");
        var cluster = clusters.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "c");
        var upstreams = cluster.GetProperty("upstreams").EnumerateArray().ToArray();
        Assert.Equal([env.Backend.Address], upstreams.Select(u => u.GetProperty("address").GetString()));
        Assert.All(upstreams, u => Assert.Equal("up", u.GetProperty("state").GetString()));

        var metrics = await env.GetTextAsync("metrics");
        Assert.Equal(OneMiB, Sample(metrics, "sluice_transferred_bytes_total", "route=\"p\"", "direction=\"client_to_upstream\""));
        Assert.Equal(OneMiB, Sample(metrics, "sluice_transferred_bytes_total", "route=\"p\"", "direction=\"upstream_to_client\""));
        Assert.Equal(1, Sample(metrics, "sluice_connections_total", "route=\"p\""));
        Assert.Contains("sluice_upstream_connect_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task MetricsAfterRealTraffic_PassPromtoolCheck()
    {
        var promtool = Peer.Require("promtool", "prometheus");
        await using var env = await AdminOverGateway.StartAsync();
        var text = await env.GetTextAsync("metrics");

        await ProcessRunner.AssertPromtoolAcceptsAsync(promtool, text);
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Sample(string text, string name, params string[] labels)
    {
        var matches = text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .ToArray();
        Assert.True(matches.Length == 1, $"expected one {name} sample with {string.Join(",", labels)}, found {matches.Length} in:\n{text}");
        var fields = matches[0].Split(' ');
        return double.Parse(fields[^1].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>An echo backend, a gateway with route "p" to it, an admin server over that gateway, and 1 MiB already echoed through "p".</summary>
    private sealed class AdminOverGateway : IAsyncDisposable
    {
        private AdminOverGateway(TestBackend backend, TestGateway gateway, AdminServer admin)
        {
            Backend = backend;
            Gateway = gateway;
            Admin = admin;
            Http = new HttpClient { BaseAddress = new Uri($"http://{admin.Endpoint}/"), Timeout = TimeSpan.FromSeconds(30) };
        }

        public TestBackend Backend { get; }

        public TestGateway Gateway { get; }

        public AdminServer Admin { get; }

        public HttpClient Http { get; }

        public static async Task<AdminOverGateway> StartAsync()
        {
            var backend = TestBackend.Echo();
            TestGateway? gateway = null;
            AdminServer? admin = null;
            try
            {
                gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));
                admin = new AdminServer(new AdminConfig { Listen = new HostPort("127.0.0.1", 0) }, gateway.Gateway, NullLoggerFactory.Instance);
                await admin.StartAsync(CancellationToken.None);
            }
            catch
            {
                await (admin?.DisposeAsync() ?? ValueTask.CompletedTask);
                await (gateway?.DisposeAsync() ?? ValueTask.CompletedTask);
                await backend.DisposeAsync();
                throw;
            }

            var env = new AdminOverGateway(backend, gateway, admin);
            try
            {
                await env.EchoOneMiBAsync();
                return env;
            }
            catch
            {
                await env.DisposeAsync();
                throw;
            }
        }

        public async Task<JsonDocument> GetJsonAsync(string path)
        {
            using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        }

        public async Task<string> GetTextAsync(string path)
        {
            using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Admin.DisposeAsync();
            await Gateway.DisposeAsync();
            await Backend.DisposeAsync();
        }

        private async Task EchoOneMiBAsync()
        {
            var payload = new byte[OneMiB];
            Random.Shared.NextBytes(payload);
            using var client = await Gateway.ConnectAsync("p");
            var send = Task.Run(async () =>
            {
                await client.SendAsync(payload);
                client.Shutdown(SocketShutdown.Send);
            });
            var echoed = await SocketIo.ReadToEndAsync(client, TimeSpan.FromSeconds(30));
            await send;
            Assert.True(echoed.AsSpan().SequenceEqual(payload), $"echo differs: {echoed.Length} bytes back");

            // The route counts when the connection ends, which may be a moment after the client sees EOF.
            await Poll.UntilAsync(() => Gateway.Gateway.ActiveConnections == 0, "the 1 MiB connection ended");
        }
    }
}
