using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Forwarding;
using Sluice.Transport;
using Sluice.Tunnels;

namespace Sluice.Hosting;

public sealed partial class Gateway
{
    private TunnelServer? _tunnelServer;
    private TunnelWebSocketServer? _tunnelWebSocket;
    private long _tunnelDrainStarted;

    /// <summary>The running tunnel server, or null without [tunnel_server].</summary>
    internal TunnelServer? Tunnels => _tunnelServer;

    /// <summary>The WebSocket endpoint for agents, or null when websocket_listen is not set.</summary>
    internal TunnelWebSocketServer? TunnelWebSocket => _tunnelWebSocket;

    /// <summary>
    /// Prepares the tunnel server for <paramref name="config"/> and adds its agent listener to
    /// <paramref name="wanted"/>. The running server is kept when its transport settings are
    /// unchanged (agents stay connected; tokens and allow lists are updated at commit).
    /// </summary>
    private async Task<TunnelPlan> PlanTunnelsAsync(SluiceConfig config, Dictionary<ListenerKey, (IConnectionHandler Handler, string Owner)> wanted)
    {
        if (config.TunnelServer is not { } tunnels)
        {
            return TunnelPlan.None;
        }

        TunnelPlan plan;
        if (_tunnelServer is { } running && SameTransport(running.Config, tunnels))
        {
            plan = new TunnelPlan { Server = running, WebSocket = _tunnelWebSocket };
        }
        else
        {
            X509Certificate2? certificate = null;
            if (tunnels.Tls)
            {
                try
                {
                    certificate = LoadTunnelCertificate(tunnels, config.SourcePath);
                }
                catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
                {
                    return new TunnelPlan { Error = $"tunnel_server: cannot load the TLS certificate: {ex.Message}" };
                }
            }

            var server = new TunnelServer(tunnels, certificate, _processLimit, Metrics, _loggers, config.Server.AccessLog);
            TunnelWebSocketServer? webSocket = null;
            if (tunnels.WebSocketListen is { } wsListen)
            {
                try
                {
                    webSocket = await TunnelWebSocketServer.StartAsync(wsListen, certificate, server, _loggers, CancellationToken.None);
                }
                catch (IOException ex)
                {
                    await server.DisposeAsync();
                    return new TunnelPlan { Error = $"tunnel_server: cannot listen on websocket_listen {wsListen}: {ex.Message}" };
                }
            }

            if (tunnels.HasHttpEdge)
            {
                try
                {
                    var httpsCertificate = tunnels.HttpsListen is null ? null : LoadHttpsCertificate(tunnels, config.SourcePath);
                    server.HttpEdge = await Sluice.Tunnels.Http.HttpEdge.StartAsync(tunnels, httpsCertificate, server, _loggers, CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException or System.Net.Sockets.SocketException or InvalidOperationException)
                {
                    if (webSocket is not null)
                    {
                        await webSocket.DisposeAsync();
                    }

                    await server.DisposeAsync();
                    return new TunnelPlan { Error = $"tunnel_server: cannot start the HTTP edge: {ex.Message}" };
                }
            }

            plan = new TunnelPlan { Server = server, WebSocket = webSocket, IsNew = true };
        }

        wanted[ListenerKey.For("tunnel", "tunnel_server", tunnels.Listen)] = (plan.Server!, "tunnel_server");
        return plan;
    }

    /// <summary>Makes the plan the running tunnel server; the one it replaces says go-away to its agents.</summary>
    private async Task CommitTunnelsAsync(TunnelPlan plan, SluiceConfig config)
    {
        var old = _tunnelServer;
        var oldWebSocket = _tunnelWebSocket;
        _tunnelServer = plan.Server;
        _tunnelWebSocket = plan.WebSocket;
        if (plan.Server is not null && !plan.IsNew)
        {
            plan.Server.Update(config.TunnelServer!);
        }

        if (plan.IsNew && plan.Server is { } server)
        {
            lock (_listeners)
            {
                foreach (var listener in _listeners.Values.Where(l => ReferenceEquals(l.Handler, server)))
                {
                    TunnelLog.ServerListening(server.Logger, listener.LocalEndPoint, server.Config.Tls ? "TCP+TLS" : "plain TCP");
                    if (!server.Config.Tls)
                    {
                        TunnelLog.PlainTcp(server.Logger, listener.LocalEndPoint);
                    }
                }
            }
        }

        if (old is not null && !ReferenceEquals(old, plan.Server))
        {
            if (oldWebSocket is not null)
            {
                await oldWebSocket.DisposeAsync();
            }

            await old.GoAwayAsync();
            await old.DisposeAsync();
        }
    }

    /// <summary>Drain, first step: go-away to agents, public tunnel ports closed; user connections keep running.</summary>
    private async Task GoAwayTunnelsAsync()
    {
        _tunnelDrainStarted = Environment.TickCount64;
        if (_tunnelWebSocket is { } webSocket)
        {
            _tunnelWebSocket = null;
            await webSocket.DisposeAsync();
        }

        if (_tunnelServer is { } server)
        {
            await server.GoAwayAsync();
        }
    }

    /// <summary>
    /// Drain, last step: wait for tunnelled connections until the deadline (counted from the
    /// go-away, so proxied and tunnelled connections share one deadline), then close what is left.
    /// </summary>
    private async Task DrainTunnelsAsync(TimeSpan deadline)
    {
        if (_tunnelServer is not { } server)
        {
            return;
        }

        _tunnelServer = null;
        var left = deadline - TimeSpan.FromMilliseconds(Environment.TickCount64 - _tunnelDrainStarted);
        using var timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            await server.Connections.WaitForEmptyAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            server.Connections.AbortAll(CloseReason.Shutdown);
        }

        await server.DisposeAsync();
    }

    private static bool SameTransport(TunnelServerConfig a, TunnelServerConfig b) =>
        a.Listen == b.Listen && a.Tls == b.Tls && a.TlsCert == b.TlsCert && a.TlsKey == b.TlsKey && a.WebSocketListen == b.WebSocketListen
        && a.HttpListen == b.HttpListen && a.HttpsListen == b.HttpsListen && a.HttpsCert == b.HttpsCert && a.HttpsKey == b.HttpsKey
        && a.Domain == b.Domain && a.HttpTimeout == b.HttpTimeout && a.HttpMaxHeaderBytes == b.HttpMaxHeaderBytes && a.HttpMaxBodyBytes == b.HttpMaxBodyBytes;

    /// <summary>The public certificate of the HTTPS edge (for the tunnel hosts, e.g. *.tunnel.example.com), from PEM files.</summary>
    private static X509Certificate2 LoadHttpsCertificate(TunnelServerConfig tunnels, string? sourcePath)
    {
        var directory = Path.GetDirectoryName(sourcePath is null ? Path.GetFullPath("sluice.toml") : sourcePath)!;
        return X509Certificate2.CreateFromPemFile(Path.GetFullPath(tunnels.HttpsCert, directory), Path.GetFullPath(tunnels.HttpsKey, directory));
    }

    private X509Certificate2 LoadTunnelCertificate(TunnelServerConfig tunnels, string? sourcePath)
    {
        var generate = tunnels.TlsCert.Length == 0;
        var directory = Path.GetDirectoryName(sourcePath is null ? Path.GetFullPath("sluice.toml") : sourcePath)!;
        var certPath = generate ? Path.Combine(directory, ServerCertificate.DefaultCertFile) : Path.GetFullPath(tunnels.TlsCert, directory);
        var keyPath = generate ? Path.Combine(directory, ServerCertificate.DefaultKeyFile) : Path.GetFullPath(tunnels.TlsKey, directory);
        var (certificate, generated) = ServerCertificate.LoadOrCreate(certPath, keyPath, generate);
        var fingerprint = Fingerprint.Format(ServerCertificate.Sha256(certificate));
        if (generated)
        {
            TunnelLog.CertificateGenerated(_logger, certPath, keyPath, fingerprint);
        }

        TunnelLog.CertificateFingerprint(_logger, certPath, fingerprint);
        return certificate;
    }
}
