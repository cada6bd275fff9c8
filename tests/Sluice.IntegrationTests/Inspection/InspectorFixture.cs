using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tunnels.Inspection;

namespace Sluice.IntegrationTests.Inspection;

/// <summary>
/// A started inspector on 127.0.0.1 port 0 over a store the test fills directly, with a recording
/// local service behind three tunnels: "web" (the edge sends Host app.internal), "same-host" (the
/// edge keeps the public host) and "down" (a local address that refuses connections).
/// </summary>
internal sealed class InspectorFixture : IAsyncDisposable
{
    public const int BodyBytes = 4096;
    public const string WebHostHeader = "app.internal";

    private InspectorFixture(InspectorStore store, RecordingHttpService local, InspectorServer server)
    {
        Store = store;
        Local = local;
        Server = server;
        BaseAddress = new Uri($"http://{server.Endpoint}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public InspectorStore Store { get; }

    public RecordingHttpService Local { get; }

    public InspectorServer Server { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public static async Task<InspectorFixture> StartAsync()
    {
        var store = new InspectorStore(maxRequests: 1000, maxBytes: 16 << 20);
        var local = await RecordingHttpService.StartAsync();
        HostPort.TryParse(Ports.RefusingAddress(), out var refusing, out _);
        var tunnels = new Dictionary<string, ReplayTarget>
        {
            ["web"] = new(local.Address, WebHostHeader),
            ["same-host"] = new(local.Address, null),
            ["down"] = new(refusing, null),
        };
        var server = new InspectorServer(
            new HostPort("127.0.0.1", 0),
            store,
            name => tunnels.GetValueOrDefault(name),
            BodyBytes,
            NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        return new InspectorFixture(store, local, server);
    }

    /// <summary>A POST the user made through the "web" tunnel, as the edge would capture it.</summary>
    public static ExchangeRecord CapturedPost(string tunnel = "web", string body = "{\"name\":\"ada\"}") => new()
    {
        Tunnel = tunnel,
        Host = "demo.tunnels.example",
        Scheme = "https",
        Method = "POST",
        Path = "/api/users?source=inspector%2Ftest",
        RemoteAddress = "203.0.113.7",
        StartedAt = DateTimeOffset.UtcNow,
        DurationMs = 12.5,
        Status = 201,
        RequestHeaders =
        [
            new("Host", "demo.tunnels.example"),
            new("Content-Type", "application/json"),
            new("Content-Length", System.Text.Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Connection", "keep-alive"),
            new("X-Request-Id", "abc-123"),
        ],
        ResponseHeaders = [new("Content-Type", "application/json")],
        RequestBody = System.Text.Encoding.UTF8.GetBytes(body),
        RequestBytes = System.Text.Encoding.UTF8.GetByteCount(body),
        ResponseBody = "{\"id\":1}"u8.ToArray(),
        ResponseBytes = 8,
    };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Local.DisposeAsync();
    }
}
