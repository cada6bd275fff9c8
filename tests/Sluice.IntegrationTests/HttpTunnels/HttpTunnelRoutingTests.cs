using System.Net;
using Sluice.IntegrationTests.Tunnels;
using Sluice.Protocols.Tunnels;

namespace Sluice.IntegrationTests.HttpTunnels;

/// <summary>HTTP tunnels: requests routed by Host through the edge, the tunnel and the agent to a local web app.</summary>
public sealed class HttpTunnelRoutingTests
{
    [Fact]
    public async Task A_request_for_the_agents_own_subdomain_reaches_its_local_app_with_forwarded_headers()
    {
        await using var app = await LocalWebApp.StartAsync("office-app");
        await using var harness = await HttpTunnelHarness.StartAsync();
        var (_, results) = await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        var result = Assert.Single(results);
        Assert.Equal(RegisterStatus.Ok, result.Status);
        Assert.Contains("http://office.tunnel.test:", result.Detail, StringComparison.Ordinal);

        using var client = harness.Client();
        var body = await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test:8080", "/hello?x=1"));
        Assert.Equal("hello from office-app /hello?x=1", body);

        // Routing ignores case and port; the local app sees the Host the user sent.
        using var request = new HttpRequestMessage(HttpMethod.Get, HttpTunnelHarness.Url("office.tunnel.test", "/headers"));
        request.Headers.Host = "OFFICE.Tunnel.test:8080";
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = app.LastHeaders!;
        Assert.Equal("OFFICE.Tunnel.test:8080", headers.Host.ToString());
        Assert.Equal("203.0.113.7, 127.0.0.1", headers["X-Forwarded-For"].ToString());
        Assert.Equal("http", headers["X-Forwarded-Proto"].ToString());
        Assert.Equal("OFFICE.Tunnel.test:8080", headers["X-Forwarded-Host"].ToString());
    }

    [Fact]
    public async Task Metrics_count_requests_by_host_and_status_class_and_body_bytes_by_direction()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        using var metrics = new MetricsProbe(harness.Tunnels.Gateway.Metrics.Meter);
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();

        await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello"));
        using (var upload = await client.PostAsync(HttpTunnelHarness.Url("office.tunnel.test", "/sha256"), new ByteArrayContent(new byte[10_000])))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/missing"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(HttpTunnelHarness.Url("stranger.tunnel.test", "/"))).StatusCode);

        var counts = metrics.Collect();
        Assert.Equal(2, counts[("sluice.tunnel.http.requests", "host=office.tunnel.test,status_class=2xx")]);
        Assert.Equal(1, counts[("sluice.tunnel.http.requests", "host=office.tunnel.test,status_class=4xx")]);
        Assert.Equal(1, counts[("sluice.tunnel.http.requests", "host=unknown,status_class=4xx")]);
        Assert.Equal(10_000, counts[("sluice.tunnel.http.transferred", "host=office.tunnel.test,direction=request")]);
        Assert.True(counts[("sluice.tunnel.http.transferred", "host=office.tunnel.test,direction=response")] > "hello from app /hello".Length);
    }
}
