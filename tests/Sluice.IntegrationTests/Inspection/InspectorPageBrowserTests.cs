using System.Globalization;
using OpenQA.Selenium;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tunnels.Inspection;

namespace Sluice.IntegrationTests.Inspection;

/// <summary>The inspector page in a real browser: live list, detail view, replay.</summary>
public sealed class InspectorPageBrowserTests
{
    [SkippableFact]
    public async Task Page_ShowsANewExchangeLive_DetailsIt_AndReplaysItToTheLocalService()
    {
        using var browser = HeadlessChromium.Start();
        await using var inspector = await InspectorFixture.StartAsync();

        browser.Open(inspector.BaseAddress);
        browser.Until(d => d.FindElement(By.Id("status")).Text == "live", "the page's first list answer");
        Assert.True(browser.Driver.FindElement(By.Id("empty")).Displayed);

        // Added only now, with the page already open: it can only arrive through the live feed.
        var captured = InspectorFixture.CapturedPost() with
        {
            RequestHeaders = [.. InspectorFixture.CapturedPost().RequestHeaders, new HeaderField("X-Markup", "<b>not bold</b>")],
        };
        var id = inspector.Store.Add(captured);
        var row = browser.Until(d => d.FindElement(By.CssSelector($"#requests tr[data-id='{Id(id)}']")), $"row {id} in the list");
        Assert.Contains("POST", row.Text, StringComparison.Ordinal);
        Assert.Contains("demo.tunnels.example/api/users", row.Text, StringComparison.Ordinal);
        Assert.Contains("201", row.Text, StringComparison.Ordinal);

        row.Click();
        var detail = browser.Until(
            d => d.FindElement(By.Id("detail")) is var e && e.GetAttribute("data-id") == Id(id) ? e : null,
            $"the detail view of {id}")!;
        Assert.Contains("POST", detail.Text, StringComparison.Ordinal);
        Assert.Contains("/api/users?source=inspector%2Ftest", detail.Text, StringComparison.Ordinal);
        Assert.Contains("X-Request-Id", detail.Text, StringComparison.Ordinal);
        Assert.Contains("abc-123", detail.Text, StringComparison.Ordinal);
        Assert.Contains("{\"name\":\"ada\"}", detail.Text, StringComparison.Ordinal);
        Assert.Contains("{\"id\":1}", detail.Text, StringComparison.Ordinal);

        // Captured data is shown as text, never interpreted as markup.
        Assert.Contains("<b>not bold</b>", detail.Text, StringComparison.Ordinal);
        Assert.Empty(detail.FindElements(By.TagName("b")));

        browser.Driver.FindElement(By.Id("replay")).Click();
        var replayRow = browser.Until(
            d => d.FindElement(By.CssSelector($"#requests tr[data-replay-of='{Id(id)}']")),
            $"a row marked as the replay of {id}");
        var received = await inspector.Local.NextAsync();

        Assert.Equal("POST", received.Method);
        Assert.Equal("/api/users?source=inspector%2Ftest", received.Target);
        Assert.Equal("{\"name\":\"ada\"}"u8.ToArray(), received.Body);
        Assert.Equal("<b>not bold</b>", received.Header("X-Markup"));
        var replayId = long.Parse(replayRow.GetAttribute("data-id")!, CultureInfo.InvariantCulture);
        Assert.Equal(id, inspector.Store.Get(replayId)?.ReplayOf);
        Assert.Contains("replay of #" + Id(id), replayRow.Text, StringComparison.Ordinal);
        browser.Until(
            d => d.FindElement(By.Id("detail")).GetAttribute("data-id") == Id(replayId),
            "the replay's own detail after the click");
        Assert.Contains(RecordingHttpService.Greeting, browser.Driver.FindElement(By.Id("response-body")).Text, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Page_ShowsBinaryBodiesAsHex_SaysWhatWasTruncated_AndOffersNoReplayOfAPartBody()
    {
        using var browser = HeadlessChromium.Start();
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost() with
        {
            Method = "PUT",
            Path = "/upload",
            RequestBody = "partial"u8.ToArray(),
            RequestBytes = 1_000_000,
            RequestBodyTruncated = true,
            Status = 0,
            Error = "the local service reset the stream",
            ResponseBody = [0x00, 0xff, 0x10, 0x41],
            ResponseBytes = 70_000,
            ResponseBodyTruncated = true,
        });

        browser.Open(inspector.BaseAddress);
        browser.Until(d => d.FindElement(By.CssSelector($"#requests tr[data-id='{Id(id)}']")), $"row {id}").Click();
        browser.Until(d => d.FindElement(By.Id("detail")).GetAttribute("data-id") == Id(id), $"the detail view of {id}");

        var response = browser.Driver.FindElement(By.Id("response-body")).Text;
        Assert.Contains("00 ff 10 41", response, StringComparison.Ordinal);
        Assert.Contains("truncated at 4 bytes", response, StringComparison.Ordinal);
        Assert.Contains("truncated at 7 bytes", browser.Driver.FindElement(By.Id("request-body")).Text, StringComparison.Ordinal);
        Assert.Equal("the local service reset the stream", browser.Driver.FindElement(By.Id("detail-error")).Text);
        Assert.False(browser.Driver.FindElement(By.Id("replay")).Enabled);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
