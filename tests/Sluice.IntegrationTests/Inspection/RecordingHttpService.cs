using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;

namespace Sluice.IntegrationTests.Inspection;

/// <summary>
/// The "local service" a tunnel exposes: a Kestrel app on 127.0.0.1 port 0 that records every
/// request it receives (raw target, headers, body) and answers 200 "hello from the local service"
/// with an X-Local header; a path under /big answers 50,000 bytes instead.
/// </summary>
internal sealed class RecordingHttpService : IAsyncDisposable
{
    public const string Greeting = "hello from the local service";
    public const int BigBodyBytes = 50_000;

    private readonly WebApplication _app;
    private readonly Channel<ReceivedRequest> _received = Channel.CreateUnbounded<ReceivedRequest>();

    private RecordingHttpService()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.None);
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public HostPort Address { get; private set; }

    public static async Task<RecordingHttpService> StartAsync()
    {
        var service = new RecordingHttpService();
        await service._app.StartAsync();
        var address = new Uri(service._app.Urls.First());
        service.Address = new HostPort("127.0.0.1", address.Port);
        return service;
    }

    /// <summary>The next request the service received, waiting up to 15 s for it.</summary>
    public async Task<ReceivedRequest> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>True when a request arrived that nobody has taken with <see cref="NextAsync"/>.</summary>
    public bool HasUnread => _received.Reader.TryPeek(out _);

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? "")))
            .ToArray();
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        _received.Writer.TryWrite(new ReceivedRequest(context.Request.Method, target, headers, body.ToArray()));

        context.Response.Headers["X-Local"] = "yes";
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (context.Request.Path.StartsWithSegments("/big"))
        {
            await context.Response.Body.WriteAsync(new byte[BigBodyBytes]);
            return;
        }

        await context.Response.WriteAsync(Greeting);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}
