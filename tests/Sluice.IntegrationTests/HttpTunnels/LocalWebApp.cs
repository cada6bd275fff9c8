using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.HttpTunnels;

/// <summary>
/// The "local web app" an agent exposes, on 127.0.0.1 with an ephemeral port: echoes, streamed
/// downloads, chunked and server-sent-event responses, a slow endpoint and a WebSocket echo.
/// Every body is streamed, so the app itself never holds a large one.
/// </summary>
internal sealed class LocalWebApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _releaseSse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalWebApp(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    public string Address => $"127.0.0.1:{Port}";

    public int Requests;

    /// <summary>Distinct connections requests arrived on (Kestrel's connection ids).</summary>
    public int Connections => _connections.Count;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _connections = new();

    /// <summary>The headers of the last request to /headers, as received.</summary>
    public IHeaderDictionary? LastHeaders { get; private set; }

    /// <summary>Lets the open /sse response send its last event and end.</summary>
    public void ReleaseSse() => _releaseSse.TrySetResult();

    public static async Task<LocalWebApp> StartAsync(string name = "app")
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        var app = builder.Build();
        var local = new LocalWebApp(app, name);
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref local.Requests);
            local._connections.TryAdd(context.Connection.Id, true);
            await next(context);
        });
        app.UseRouting();
        app.MapGet("/hello", (HttpContext c) => $"hello from {name} {c.Request.Path}{c.Request.QueryString}");
        app.MapGet("/headers", (HttpContext c) =>
        {
            local.LastHeaders = new HeaderDictionary(c.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            return "ok";
        });
        app.MapPost("/sha256", async (HttpContext c) =>
        {
            // Hashes the body as it streams in: the answer proves every byte arrived in order.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await c.Request.Body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }

            return $"{total} {Convert.ToHexString(hash.GetHashAndReset())}";
        });
        app.MapGet("/download", async (HttpContext c) =>
        {
            var size = long.Parse(c.Request.Query["size"]!, System.Globalization.CultureInfo.InvariantCulture);
            c.Response.ContentLength = size;
            var buffer = new byte[64 * 1024];
            long sent = 0;
            while (sent < size)
            {
                var n = (int)Math.Min(buffer.Length, size - sent);
                Pattern.Fill(buffer.AsSpan(0, n), sent);
                await c.Response.Body.WriteAsync(buffer.AsMemory(0, n));
                sent += n;
            }
        });
        app.MapGet("/chunked", async (HttpContext c) =>
        {
            // No Content-Length: Kestrel sends chunked.
            for (var i = 0; i < 5; i++)
            {
                await c.Response.WriteAsync($"chunk-{i};");
                await c.Response.Body.FlushAsync();
            }
        });
        app.MapGet("/sse", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: first\n\n");
            await c.Response.Body.FlushAsync();
            await local._releaseSse.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await c.Response.WriteAsync("data: last\n\n");
        });
        app.MapGet("/slow", async (HttpContext c) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted);
            return "late";
        });
        app.Map("/ws", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest)
            {
                c.Response.StatusCode = 400;
                return;
            }

            using var socket = await c.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        });
        await app.StartAsync();
        local.Port = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).First();
        return local;
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseSse();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A deterministic byte pattern by absolute offset, so a downloaded body can be checked without keeping it.</summary>
internal static class Pattern
{
    public static void Fill(Span<byte> buffer, long offset)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = At(offset + i);
        }
    }

    public static byte At(long offset) => (byte)((offset * 31) + (offset >> 11));
}
