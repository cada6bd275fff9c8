using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Admin;
using Sluice.Configuration;

namespace Sluice.Tunnels;

/// <summary>
/// Agents over WebSocket (websocket_listen, path /tunnel): a bare Kestrel app whose only route
/// upgrades to a WebSocket and hands its binary-message stream to the tunnel server, so the
/// multiplexer runs unchanged and tunnels pass HTTP-only proxies and CDNs. wss when the tunnel
/// server has a certificate.
/// </summary>
internal sealed class TunnelWebSocketServer : IAsyncDisposable
{
    public const string Path = "/tunnel";

    private readonly WebApplication _app;
    private readonly List<ListenOptions> _listeners;

    private TunnelWebSocketServer(WebApplication app, List<ListenOptions> listeners, bool secure)
    {
        _app = app;
        _listeners = listeners;
        Secure = secure;
    }

    public bool Secure { get; }

    public IPEndPoint EndPoint => _listeners.Select(l => l.IPEndPoint).OfType<IPEndPoint>().First();

    public string Url => $"{(Secure ? "wss" : "ws")}://{EndPoint}{Path}";

    public static async Task<TunnelWebSocketServer> StartAsync(HostPort listen, X509Certificate2? certificate, TunnelServer server, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var ip = listen.Ip ?? IPAddress.Loopback;
        var listeners = new List<ListenOptions>();
        var builder = EmbeddedWebApp.CreateBuilder("Sluice.Tunnels", loggers, kestrel =>
        {
            kestrel.Listen(ip, listen.Port, options =>
            {
                if (certificate is not null)
                {
                    options.UseHttps(certificate);
                }

                listeners.Add(options);
            });
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        var transport = certificate is null ? "ws" : "wss";
        app.Run(async context =>
        {
            if (context.Request.Path != Path)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
                return;
            }

            var socket = await context.WebSockets.AcceptWebSocketAsync();
            var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
            var remote = context.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, context.Connection.RemotePort).ToString() : "?";
            await server.ServeAgentAsync(stream, remote, transport, tls: false);
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var result = new TunnelWebSocketServer(app, listeners, certificate is not null);
        TunnelLog.WebSocketListening(server.Logger, result.Url);
        return result;
    }

    public ValueTask DisposeAsync() => EmbeddedWebApp.StopAndDisposeAsync(_app);
}
