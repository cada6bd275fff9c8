using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Sluice.Tunnels.Inspection;

namespace Sluice.IntegrationTests.Inspection;

public sealed class InspectorApiTests
{
    [Fact]
    public async Task Page_IsOneSelfContainedHtmlDocument()
    {
        await using var inspector = await InspectorFixture.StartAsync();

        using var response = await inspector.Http.GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("id=\"requests\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"replay\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_IsNewestFirst_AndHonoursAfterAndLimit()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var ids = Enumerable.Range(0, 3).Select(_ => inspector.Store.Add(InspectorFixture.CapturedPost())).ToArray();

        using var all = await GetJsonAsync(inspector, "/api/requests");
        using var page = await GetJsonAsync(inspector, $"/api/requests?after={ids[0]}&limit=1");

        Assert.Equal(ids[2], all.RootElement.GetProperty("last_id").GetInt64());
        Assert.Equal(ids.Reverse(), Ids(all));
        var row = all.RootElement.GetProperty("requests")[0];
        Assert.Equal("POST", row.GetProperty("method").GetString());
        Assert.Equal("/api/users?source=inspector%2Ftest", row.GetProperty("path").GetString());
        Assert.Equal(201, row.GetProperty("status").GetInt32());
        Assert.Equal(12.5, row.GetProperty("duration_ms").GetDouble());
        Assert.False(row.TryGetProperty("request_body", out _), "the list carries no bodies");
        Assert.Equal([ids[2]], Ids(page));
    }

    [Fact]
    public async Task List_LimitIsCappedAt500()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        for (var i = 0; i < 600; i++)
        {
            inspector.Store.Add(InspectorFixture.CapturedPost());
        }

        using var list = await GetJsonAsync(inspector, "/api/requests?limit=100000");

        Assert.Equal(InspectorEndpoints.MaxLimit, list.RootElement.GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public async Task List_WithWait_AnswersWithARecordAddedWhileItWaits()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var before = inspector.Store.Add(InspectorFixture.CapturedPost());

        var waiting = GetJsonAsync(inspector, $"/api/requests?after={before}&wait=30");
        var added = inspector.Store.Add(InspectorFixture.CapturedPost() with { Path = "/arrived-later" });
        using var list = await waiting;

        Assert.Equal([added], Ids(list));
    }

    [Fact]
    public async Task List_WaitingWhenTheInspectorStops_AnswersAtOnceWithNothingNew()
    {
        var inspector = await InspectorFixture.StartAsync();
        try
        {
            var waiting = GetJsonAsync(inspector, "/api/requests?after=0&wait=30");
            await Infrastructure.Poll.UntilAsync(() => inspector.Store.HasWaiters, "the inspector holding the long poll");

            await inspector.Server.DisposeAsync();
            using var list = await waiting;

            Assert.Empty(Ids(list));
        }
        finally
        {
            await inspector.DisposeAsync();
        }
    }

    [Fact]
    public async Task Get_ReturnsHeadersAndBase64Bodies()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost());

        using var record = await GetJsonAsync(inspector, $"/api/requests/{id}");
        var root = record.RootElement;

        Assert.Equal(id, root.GetProperty("id").GetInt64());
        Assert.Equal("web", root.GetProperty("tunnel").GetString());
        Assert.Contains(root.GetProperty("request_headers").EnumerateArray(),
            h => h.GetProperty("name").GetString() == "X-Request-Id" && h.GetProperty("value").GetString() == "abc-123");
        Assert.Equal("{\"name\":\"ada\"}", Encoding.UTF8.GetString(root.GetProperty("request_body").GetBytesFromBase64()));
        Assert.False(root.GetProperty("request_body_truncated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("replay_of").ValueKind);
    }

    [Fact]
    public async Task Get_UnknownId_Is404WithAJsonError()
    {
        await using var inspector = await InspectorFixture.StartAsync();

        using var response = await inspector.Http.GetAsync(new Uri("/api/requests/42", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("#42", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_SendsTheCapturedRequestToTheLocalService_AndStoresItAsAReplay()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var original = InspectorFixture.CapturedPost();
        var id = inspector.Store.Add(original);

        using var response = await ReplayAsync(inspector, id);
        var received = await inspector.Local.NextAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/api/users?source=inspector%2Ftest", received.Target);
        Assert.Equal(InspectorFixture.WebHostHeader, received.Header("Host"));
        Assert.Equal("application/json", received.Header("Content-Type"));
        Assert.Equal("abc-123", received.Header("X-Request-Id"));
        Assert.Null(received.Header("Connection"));
        Assert.Equal(original.RequestBody, received.Body);

        using var replay = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var replayId = replay.RootElement.GetProperty("id").GetInt64();
        Assert.Equal($"/api/requests/{replayId}", response.Headers.Location?.OriginalString);
        Assert.Equal(id, replay.RootElement.GetProperty("replay_of").GetInt64());
        Assert.Equal(200, replay.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(RecordingHttpService.Greeting, Encoding.UTF8.GetString(replay.RootElement.GetProperty("response_body").GetBytesFromBase64()));

        var stored = inspector.Store.Get(replayId);
        Assert.NotNull(stored);
        Assert.Equal(id, stored.ReplayOf);
        Assert.Equal(200, stored.Status);
        Assert.Null(stored.Error);
        Assert.Contains(new HeaderField("X-Local", "yes"), stored.ResponseHeaders);
        Assert.Contains(new HeaderField("Host", InspectorFixture.WebHostHeader), stored.RequestHeaders);
        Assert.Equal(RecordingHttpService.Greeting.Length, stored.ResponseBytes);
    }

    [Fact]
    public async Task Replay_TunnelWithoutHostHeader_SendsThePublicHost()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost(tunnel: "same-host"));

        using var response = await ReplayAsync(inspector, id);
        var received = await inspector.Local.NextAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("demo.tunnels.example", received.Header("Host"));
    }

    [Fact]
    public async Task Replay_BodyNotCapturedWhole_Is409AndSendsNothing()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost() with { RequestBodyTruncated = true, RequestBytes = 1_000_000 });

        using var response = await ReplayAsync(inspector, id);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("not captured whole", await ErrorOf(response), StringComparison.Ordinal);
        Assert.Equal(id, inspector.Store.LastId);
        Assert.False(inspector.Local.HasUnread);
    }

    [Fact]
    public async Task Replay_UnknownIdOrTunnel_Is404WithAMessage()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost(tunnel: "gone"));

        using var unknownId = await ReplayAsync(inspector, 999);
        using var unknownTunnel = await ReplayAsync(inspector, id);

        Assert.Equal(HttpStatusCode.NotFound, unknownId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownTunnel.StatusCode);
        Assert.Contains("tunnel \"gone\"", await ErrorOf(unknownTunnel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_LocalServiceRefuses_Is502NamingTheAddress_AndTheFailureIsStored()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost(tunnel: "down"));

        using var response = await ReplayAsync(inspector, id);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error").GetString();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("127.0.0.1:", error, StringComparison.Ordinal);
        Assert.Contains("refused", error, StringComparison.OrdinalIgnoreCase);
        var stored = inspector.Store.Get(body.RootElement.GetProperty("id").GetInt64());
        Assert.NotNull(stored);
        Assert.Equal(id, stored.ReplayOf);
        Assert.Equal(0, stored.Status);
        Assert.Equal(error, stored.Error);
    }

    [Fact]
    public async Task Replay_LargeResponse_KeepsBodyBytesAndCountsAll()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost() with { Method = "GET", Path = "/big/file", RequestBody = [], RequestBytes = 0 });

        using var response = await ReplayAsync(inspector, id);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var stored = inspector.Store.Get(body.RootElement.GetProperty("id").GetInt64())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(InspectorFixture.BodyBytes, stored.ResponseBody.Length);
        Assert.True(stored.ResponseBodyTruncated);
        Assert.Equal(RecordingHttpService.BigBodyBytes, stored.ResponseBytes);
    }

    [Fact]
    public async Task Replay_NoAnswerWithinTheTimeout_IsAStoredFailureSayingSo()
    {
        using var blackHole = Infrastructure.Ports.BlackHole();
        Configuration.HostPort.TryParse(blackHole.Address, out var silent, out _);
        using var replayer = new ExchangeReplayer(bodyBytes: 1024, timeout: TimeSpan.FromMilliseconds(300));

        var replay = await replayer.SendAsync(InspectorFixture.CapturedPost() with { Id = 7 }, new ReplayTarget(silent, null), "127.0.0.1", CancellationToken.None);

        Assert.Equal(7, replay.ReplayOf);
        Assert.Equal(0, replay.Status);
        Assert.Equal($"replay to {silent}: no complete answer within 0.3 s", replay.Error);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("rebound.attacker.example:{port}")]
    [InlineData("127.0.0.1:1")]
    public async Task ForeignHostHeader_Is403(string host)
    {
        await using var inspector = await InspectorFixture.StartAsync();
        inspector.Store.Add(InspectorFixture.CapturedPost());

        foreach (var path in new[] { "/", "/api/requests", "/api/requests/1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Host = host.Replace("{port}", inspector.Server.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            using var response = await inspector.Http.SendAsync(request);

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("only answers requests addressed to it", await ErrorOf(response), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("localhost:{port}")]
    [InlineData("127.0.0.1:{port}")]
    [InlineData("LOCALHOST:{port}")]
    public async Task OwnHostHeader_IsServed(string host)
    {
        await using var inspector = await InspectorFixture.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/requests", UriKind.Relative));
        request.Headers.Host = host.Replace("{port}", inspector.Server.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var response = await inspector.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReplayPost_WithoutTheInspectorHeaderOrJson_Is403AndSendsNothing()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost());

        // What a cross-site HTML form could send without a CORS preflight.
        using var form = await inspector.Http.PostAsync(new Uri($"/api/requests/{id}/replay", UriKind.Relative), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Contains("X-Sluice-Inspector", await ErrorOf(form), StringComparison.Ordinal);
        Assert.False(inspector.Local.HasUnread);
    }

    [Fact]
    public async Task ReplayPost_AsJsonWithoutTheHeader_IsAccepted()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost());

        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await inspector.Http.PostAsync(new Uri($"/api/requests/{id}/replay", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("POST", (await inspector.Local.NextAsync()).Method);
    }

    [Fact]
    public async Task ReplayPost_FromAnotherOrigin_Is403()
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost());

        using var request = ReplayRequest(id);
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await inspector.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(inspector.Local.HasUnread);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Api_IsReadOnlyExceptReplay(string method)
    {
        await using var inspector = await InspectorFixture.StartAsync();
        var id = inspector.Store.Add(InspectorFixture.CapturedPost());

        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"/api/requests/{id}", UriKind.Relative));
        using var response = await inspector.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.NotNull(inspector.Store.Get(id));
    }

    private static HttpRequestMessage ReplayRequest(long id)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/requests/{id}/replay", UriKind.Relative));
        request.Headers.Add(InspectorGuard.HeaderName, "1");
        return request;
    }

    private static async Task<HttpResponseMessage> ReplayAsync(InspectorFixture inspector, long id)
    {
        using var request = ReplayRequest(id);
        return await inspector.Http.SendAsync(request);
    }

    private static async Task<JsonDocument> GetJsonAsync(InspectorFixture inspector, string path)
    {
        using var response = await inspector.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static long[] Ids(JsonDocument list) =>
        list.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToArray();

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }.MediaType, response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetString()!;
    }
}
