using System.Globalization;
using System.Net;
using System.Text.Json;
using OpenQA.Selenium;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.HttpTunnels;

/// <summary>The agent's inspector fed by the edge: exchanges made through a real tunnel, listed, detailed and replayed.</summary>
public sealed class HttpTunnelInspectorTests
{
    [Fact]
    public async Task An_exchange_through_the_tunnel_reaches_the_agents_inspector_with_bodies_cut_at_the_capture_size_and_the_credential_redacted()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        var (agent, _) = await harness.StartAgentAsync(
            [HttpTunnelHarness.Http("office", app.Address) with { AuthHeader = ("X-Api-Key", "key-1234567") }],
            configure: c => c with { Inspect = new HostPort("127.0.0.1", 0), InspectBodyBytes = 1024 });
        using var client = harness.Client();

        var body = new byte[100 * 1024];
        Random.Shared.NextBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, HttpTunnelHarness.Url("office.tunnel.test", "/sha256?q=1")) { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-Api-Key", "key-1234567");
        using var response = await client.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("102400 ", answer, StringComparison.Ordinal);

        using var inspector = new HttpClient { BaseAddress = new Uri($"http://{agent.Inspector!.Endpoint}/") };
        var list = await Poll.UntilValueAsync(
            async () => JsonDocument.Parse(await inspector.GetStringAsync("api/requests")) is var doc && doc.RootElement.GetProperty("requests").GetArrayLength() > 0 ? doc : null,
            "the exchange in the inspector");
        var id = list.RootElement.GetProperty("requests")[0].GetProperty("id").GetInt64();
        using var detail = JsonDocument.Parse(await inspector.GetStringAsync($"api/requests/{id}"));
        var record = detail.RootElement;
        Assert.Equal("POST", record.GetProperty("method").GetString());
        Assert.Equal("/sha256?q=1", record.GetProperty("path").GetString());
        Assert.Equal("office.tunnel.test", record.GetProperty("host").GetString());
        Assert.Equal(200, record.GetProperty("status").GetInt32());
        Assert.Equal(body.Length, record.GetProperty("request_bytes").GetInt64());
        Assert.Equal(body.AsSpan(0, 1024).ToArray(), record.GetProperty("request_body").GetBytesFromBase64());
        Assert.True(record.GetProperty("request_body_truncated").GetBoolean());
        Assert.Equal(answer, System.Text.Encoding.UTF8.GetString(record.GetProperty("response_body").GetBytesFromBase64()));
        Assert.False(record.GetProperty("response_body_truncated").GetBoolean());
        var apiKey = record.GetProperty("request_headers").EnumerateArray().Single(h => h.GetProperty("name").GetString() == "X-Api-Key");
        Assert.Equal("[redacted]", apiKey.GetProperty("value").GetString());
    }

    [SkippableFact]
    public async Task The_inspector_page_in_a_browser_shows_a_request_made_through_the_tunnel_opens_it_and_replays_it()
    {
        using var browser = HeadlessChromium.Start();
        await using var app = await LocalWebApp.StartAsync("office-app");
        await using var harness = await HttpTunnelHarness.StartAsync();
        var (agent, _) = await harness.StartAgentAsync(
            [HttpTunnelHarness.Http("office", app.Address)],
            configure: c => c with { Inspect = new HostPort("127.0.0.1", 0) });

        browser.Open(new Uri($"http://{agent.Inspector!.Endpoint}/"));
        browser.Until(d => d.FindElement(By.Id("status")).Text == "live", "the page's first list answer");

        using var client = harness.Client();
        Assert.Equal("hello from office-app /hello?from=browser", await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello?from=browser")));

        var row = browser.Until(d => d.FindElement(By.CssSelector("#requests tr[data-id]")), "the tunnelled request in the list");
        Assert.Contains("GET", row.Text, StringComparison.Ordinal);
        Assert.Contains("office.tunnel.test/hello?from=browser", row.Text, StringComparison.Ordinal);
        Assert.Contains("200", row.Text, StringComparison.Ordinal);
        var id = row.GetAttribute("data-id")!;

        row.Click();
        var detail = browser.Until(d => d.FindElement(By.Id("detail")) is var e && e.GetAttribute("data-id") == id ? e : null, "the detail view")!;
        Assert.Contains("/hello?from=browser", detail.Text, StringComparison.Ordinal);
        Assert.Contains("hello from office-app", browser.Driver.FindElement(By.Id("response-body")).Text, StringComparison.Ordinal);

        browser.Driver.FindElement(By.Id("replay")).Click();
        var replay = browser.Until(d => d.FindElement(By.CssSelector($"#requests tr[data-replay-of='{id}']")), "the replay's row");
        Assert.Contains("200", replay.Text, StringComparison.Ordinal);
        Assert.Equal(2, app.Requests);
        var replayId = long.Parse(replay.GetAttribute("data-id")!, CultureInfo.InvariantCulture);
        Assert.Equal(long.Parse(id, CultureInfo.InvariantCulture), agent.InspectorStore!.Get(replayId)!.ReplayOf);
    }
}
