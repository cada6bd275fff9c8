using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Tunnels;
using Sluice.Protocols.Tunnels;

namespace Sluice.IntegrationTests.HttpTunnels;

/// <summary>The edge's own answers (404, 502, 504, 401), host claims, and bad input rejected before it reaches an agent.</summary>
public sealed class HttpTunnelEdgeTests
{
    [Fact]
    public async Task An_unknown_host_gets_a_404_page_naming_the_host()
    {
        await using var harness = await HttpTunnelHarness.StartAsync();
        using var client = harness.Client();

        using var response = await client.GetAsync(HttpTunnelHarness.Url("nobody.tunnel.test", "/"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No tunnel is registered for host nobody.tunnel.test", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_whose_agent_is_gone_gets_502_and_comes_back_when_the_agent_reconnects()
    {
        await using var app = await LocalWebApp.StartAsync("office-app");
        await using var harness = await HttpTunnelHarness.StartAsync();
        var (agent, _) = await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();
        Assert.Equal("hello from office-app /hello", await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello")));

        // Stopping the agent leaves its claim: the host answers 502, not 404.
        await agent.DisposeAsync();
        await Poll.UntilAsync(() => !harness.Tunnels.Server.IsConnected("office"), "the agent's session to end");
        using (var response = await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello")))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("office.tunnel.test is not connected", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The subdomain belongs to the agent's name: a new session gets it back.
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        Assert.Equal("hello from office-app /hello", await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello")));
    }

    [Fact]
    public async Task A_dropped_agent_connection_reconnects_and_keeps_its_subdomain()
    {
        await using var app = await LocalWebApp.StartAsync("office-app");
        await using var harness = await HttpTunnelHarness.StartAsync();
        var (agent, _) = await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();
        Assert.Equal("hello from office-app /hello?a", await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello?a")));

        var registered = agent.RegisteredAsync;
        agent.AbortConnection();
        await registered.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(2, agent.Sessions);
        Assert.Equal(RegisterStatus.Ok, Assert.Single(agent.HttpTunnels).Status);
        Assert.Equal("hello from office-app /hello?b", await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello?b")));
    }

    [Fact]
    public async Task A_local_service_that_is_down_gives_502()
    {
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", $"127.0.0.1:{TunnelHarness.FreePort()}")]);
        using var client = harness.Client();

        using var response = await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("could not be reached", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_local_service_gets_504_after_the_configured_timeout()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync(httpTimeout: TimeSpan.FromSeconds(1));
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();

        using var response = await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/slow"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("did not answer within 1 s", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosts_are_claimed_only_as_allowed_and_never_from_a_live_agent()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync(configure: c => c with
        {
            Agents = [.. c.Agents, new TunnelAgentConfig { Name = "third", Token = TunnelHarness.Token, AllowHosts = ["shop"] }],
        });

        // "other" may claim shop (allow_hosts) and its own subdomain, not office's nor an unlisted full host.
        var (_, results) = await harness.StartAgentAsync(
        [
            HttpTunnelHarness.Http("shop", app.Address),
            HttpTunnelHarness.Http("other", app.Address),
            HttpTunnelHarness.Http("office", app.Address),
            HttpTunnelHarness.Http("evil.example.org", app.Address),
            HttpTunnelHarness.Http("app.example.org", app.Address),
        ], name: "other");
        Assert.Equal(RegisterStatus.Ok, results.Single(r => r.Name == "shop").Status);
        Assert.Equal(RegisterStatus.Ok, results.Single(r => r.Name == "other").Status);
        Assert.Equal(RegisterStatus.Ok, results.Single(r => r.Name == "app-example-org").Status);
        var office = results.Single(r => r.Name == "office");
        Assert.Equal(RegisterStatus.NotAllowed, office.Status);
        Assert.Contains("allow_hosts", office.Detail, StringComparison.Ordinal);
        Assert.Equal(RegisterStatus.NotAllowed, results.Single(r => r.Name == "evil-example-org").Status);

        // "third" is allowed shop too, but "other" holds it and is live.
        var (_, third) = await harness.StartAgentAsync([HttpTunnelHarness.Http("shop", app.Address)], name: "third");
        var refused = Assert.Single(third);
        Assert.Equal(RegisterStatus.Unavailable, refused.Status);
        Assert.Contains("in use by another agent", refused.Detail, StringComparison.Ordinal);

        using var client = harness.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(HttpTunnelHarness.Url("evil.example.org", "/hello"))).StatusCode);
    }

    [Fact]
    public async Task Basic_auth_at_the_edge_challenges_strangers_and_passes_the_right_user_without_the_credential()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address) with { BasicAuth = "alice:s3cret-pass" }]);
        using var client = harness.Client();

        using (var anonymous = await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/headers")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendWithAuthAsync(client, "alice:wrong")).StatusCode);
        using var allowed = await SendWithAuthAsync(client, "alice:s3cret-pass");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.False(app.LastHeaders!.ContainsKey("Authorization"));
        Assert.Equal(1, app.Requests);
    }

    [Fact]
    public async Task A_token_header_at_the_edge_and_a_host_rewrite_reach_the_local_app_as_configured()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address) with { AuthHeader = ("X-Api-Key", "key-1234567"), HostHeader = "localhost:3000" }]);
        using var client = harness.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/headers"))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, HttpTunnelHarness.Url("office.tunnel.test", "/headers"));
        request.Headers.Add("X-Api-Key", "key-1234567");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("localhost:3000", app.LastHeaders!.Host.ToString());
        Assert.Equal("office.tunnel.test", app.LastHeaders["X-Forwarded-Host"].ToString());
        Assert.False(app.LastHeaders.ContainsKey("X-Api-Key"));
    }

    [Fact]
    public async Task Malformed_requests_are_rejected_at_the_edge_and_never_reach_the_agent()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync(configure: c => c with { HttpMaxHeaderBytes = 8 * 1024 });
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);

        Assert.StartsWith("HTTP/1.1 400", await RawAsync(harness.Edge, "G(T /hello HTTP/1.1\r\nHost: office.tunnel.test\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400", await RawAsync(harness.Edge, "GET /hello HTTP/1.1\r\nHost office.tunnel.test\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400", await RawAsync(harness.Edge, "GET /hello HTTP/1.1\r\nHost: office.tunnel.test\r\nBad Header: x\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 431", await RawAsync(harness.Edge, $"GET / HTTP/1.1\r\nHost: office.tunnel.test\r\nX-Big: {new string('a', 10_000)}\r\n\r\n"));

        // Smuggling: two lengths for one message; the "second request" must not reach the app.
        var smuggle = "POST /hello HTTP/1.1\r\nHost: office.tunnel.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hello?smuggled HTTP/1.1\r\nHost: office.tunnel.test\r\n\r\n";
        Assert.StartsWith("HTTP/1.1 400", await RawAsync(harness.Edge, smuggle));

        // An absolute-form target naming another host than the Host header.
        Assert.StartsWith("HTTP/1.1 400", await RawAsync(harness.Edge, "GET http://shop.tunnel.test/hello HTTP/1.1\r\nHost: office.tunnel.test\r\n\r\n"));
        Assert.Equal(0, app.Requests);

        // The edge still serves well-formed requests.
        using var client = harness.Client();
        Assert.Equal("hello from app /hello", await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello")));
    }

    [Fact]
    public async Task The_https_edge_serves_tunnel_hosts_with_its_certificate_and_says_https_to_the_local_app()
    {
        using var files = new TempDirectory();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=*.tunnel.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("*.tunnel.test");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = files.File("edge.crt", certificate.ExportCertificatePem());
        var keyPath = files.File("edge.key", key.ExportECPrivateKeyPem());

        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync(configure: c => c with { HttpsListen = new HostPort("127.0.0.1", 0), HttpsCert = certPath, HttpsKey = keyPath });
        var (_, results) = await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        var httpsPort = harness.Tunnels.Server.HttpEdge!.HttpsEndPoint!.Port;
        Assert.Contains($"https://office.tunnel.test:{httpsPort}", Assert.Single(results).Detail, StringComparison.Ordinal);

        string? presented = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(harness.Tunnels.Server.HttpEdge!.HttpsEndPoint!, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => (presented = cert?.GetCertHashString()) == certificate.GetCertHashString() },
        });
        using var response = await client.GetAsync("https://office.tunnel.test/headers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(certificate.GetCertHashString(), presented);
        Assert.Equal("https", app.LastHeaders!["X-Forwarded-Proto"].ToString());

        // A browser that offers HTTP/2 gets it at the edge; the agent still sees HTTP/1.1.
        using var h2 = new HttpRequestMessage(HttpMethod.Get, "https://office.tunnel.test/hello?h2") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var h2Response = await client.SendAsync(h2);
        Assert.Equal(HttpVersion.Version20, h2Response.Version);
        Assert.Equal("hello from app /hello?h2", await h2Response.Content.ReadAsStringAsync());

        // A WebSocket over HTTP/2 (RFC 8441) at the edge becomes an HTTP/1.1 upgrade toward the agent.
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await tcp.ConnectAsync(harness.Tunnels.Server.HttpEdge!.HttpsEndPoint!, token);
                return new NetworkStream(tcp, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString() },
        });
        await socket.ConnectAsync(new Uri("wss://office.tunnel.test/ws"), invoker, CancellationToken.None);
        await socket.SendAsync("over h2"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("over h2", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task A_body_over_http_max_body_gets_413_and_smaller_ones_pass()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync(configure: c => c with { HttpMaxBodyBytes = 64 * 1024 });
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();

        using (var small = await client.PostAsync(HttpTunnelHarness.Url("office.tunnel.test", "/sha256"), new ByteArrayContent(new byte[64 * 1024])))
        {
            Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        }

        using var large = await client.PostAsync(HttpTunnelHarness.Url("office.tunnel.test", "/sha256"), new ByteArrayContent(new byte[64 * 1024 + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task A_reload_that_takes_a_host_out_of_allow_hosts_stops_routing_it_at_once()
    {
        await using var app = await LocalWebApp.StartAsync("shop-app");
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("shop", app.Address)], name: "other");
        using var client = harness.Client();
        Assert.Equal("hello from shop-app /hello", await client.GetStringAsync(HttpTunnelHarness.Url("shop.tunnel.test", "/hello")));

        var changed = harness.Tunnels.Config with
        {
            Agents = [.. harness.Tunnels.Config.Agents.Select(a => a.Name == "other" ? a with { AllowHosts = [] } : a)],
        };
        Assert.Empty(await harness.Tunnels.Gateway.ApplyAsync(new SluiceConfig { TunnelServer = changed, SourcePath = Path.Combine(harness.Tunnels.Directory, "sluice.toml") }));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(HttpTunnelHarness.Url("shop.tunnel.test", "/hello"))).StatusCode);
    }

    [Fact]
    public async Task Edge_connections_count_against_server_max_connections_and_one_over_is_closed()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        harness.Tunnels.Server.ProcessLimit.Limit = 1;

        using (var first = harness.Client())
        {
            // The first client's keep-alive connection holds the one place.
            Assert.Equal("hello from app /hello", await first.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello")));
            using var second = harness.Client();
            await Assert.ThrowsAsync<HttpRequestException>(() => second.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello")));
        }

        // Closed, its place is free again.
        await Poll.UntilAsync(() => harness.Tunnels.Server.ProcessLimit.Count == 0, "the first connection's place to be released");
        using var third = harness.Client();
        Assert.Equal("hello from app /hello", await third.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", "/hello")));
    }

    private static Task<HttpResponseMessage> SendWithAuthAsync(HttpClient client, string credentials)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, HttpTunnelHarness.Url("office.tunnel.test", "/headers"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client.SendAsync(request);
    }

    /// <summary>Sends raw bytes and returns what the edge answers before it closes (or 5 s).</summary>
    private static async Task<string> RawAsync(IPEndPoint edge, string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(edge);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = 0;
        try
        {
            while (received < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(received), timeout.Token);
                if (n == 0)
                {
                    break;
                }

                received += n;
                if (Encoding.Latin1.GetString(buffer, 0, received).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }

        return Encoding.Latin1.GetString(buffer, 0, received);
    }
}
