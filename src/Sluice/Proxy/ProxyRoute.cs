using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Forwarding;
using Sluice.Forwarding.Epoll;
using Sluice.Telemetry;
using Sluice.Transport;

namespace Sluice.Proxy;

/// <summary>
/// One [[proxy]] route as it runs: accept → limits → pick an upstream → connect (retrying others)
/// → pump. A reload builds a new ProxyRoute and swaps it into the listeners; connections already
/// running keep the route (and cluster) they started with.
/// </summary>
public sealed partial class ProxyRoute : IDescriptorConnectionHandler
{
    private readonly ConnectionLimiter _processLimit;
    private readonly ConnectionRegistry _registry;
    private readonly SluiceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ILogger _accessLog;
    private readonly CancellationToken _stopping;

    public ProxyRoute(
        ProxyRouteConfig config,
        UpstreamCluster cluster,
        ConnectionLimiter routeLimit,
        ConnectionLimiter processLimit,
        ConnectionRegistry registry,
        SluiceMetrics metrics,
        ILoggerFactory loggers,
        bool accessLog,
        CancellationToken stopping)
    {
        Config = config;
        Cluster = cluster;
        RouteLimit = routeLimit;
        _processLimit = processLimit;
        _registry = registry;
        _metrics = metrics;
        Counters = metrics.ForRoute(config.Name);
        _logger = loggers.CreateLogger("Sluice.Proxy");
        _accessLog = accessLog ? loggers.CreateLogger("Sluice.Access") : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _stopping = stopping;
    }

    public ProxyRouteConfig Config { get; }

    public UpstreamCluster Cluster { get; }

    public ConnectionLimiter RouteLimit { get; }

    public RouteCounters Counters { get; }

    /// <summary>A connection accepted by .NET (the sockets engine).</summary>
    public void OnAccepted(Socket socket)
    {
        var remote = socket.RemoteEndPoint as IPEndPoint;
        if (!TryAdmit(remote))
        {
            socket.Dispose();
            return;
        }

        _ = HandleAsync(socket, -1, remote, loop: null);
    }

    /// <summary>A connection accepted on an epoll loop (the epoll engine); runs on that loop.</summary>
    void IDescriptorConnectionHandler.OnAccepted(int fd, IPEndPoint? remote, EpollLoop loop)
    {
        if (!TryAdmit(remote))
        {
            LibC.Close(fd);
            return;
        }

        _ = HandleAsync(null, fd, remote, loop);
    }

    private bool TryAdmit(IPEndPoint? remote)
    {
        var refusal = CloseReason.Completed;
        if (!_processLimit.TryAcquire())
        {
            refusal = CloseReason.ProcessLimit;
        }
        else if (!RouteLimit.TryAcquire())
        {
            _processLimit.Release();
            refusal = CloseReason.RouteLimit;
        }
        else
        {
            return true;
        }

        // Closed at once rather than left in the backlog: the client learns immediately, and
        // the refusal is counted instead of turning into an invisible connect timeout.
        _metrics.ConnectionError(Config.Name, refusal.ToName());
        LogAccess(_accessLog, Config.Name, remote, "-", 0, 0, 0, refusal.ToName());
        return false;
    }

    /// <summary>
    /// Connects the admitted client (a Socket on the sockets engine, a descriptor on
    /// <paramref name="loop"/> on the epoll engine) to an upstream and forwards until both end.
    /// </summary>
    private async Task HandleAsync(Socket? socket, int fd, IPEndPoint? clientEndPoint, EpollLoop? loop)
    {
        var started = Environment.TickCount64;
        Counters.ConnectionOpened();
        Health.Upstream? upstream = null;
        var reason = CloseReason.Completed;
        var handedOver = false;
        long fromClient = 0, toClient = 0;
        try
        {
            var connect = await ConnectUpstreamAsync(clientEndPoint, loop);
            upstream = connect.Upstream;
            if (!connect.Succeeded)
            {
                reason = connect.Attempts == 0 ? CloseReason.NoHealthyUpstream : CloseReason.ConnectFailed;
                return;
            }

            upstream!.OnConnectionStarted();
            if (loop is not null)
            {
                // From here the pair owns both descriptors and reports its end through Complete.
                var pair = new ProxiedPair(this, loop, fd, connect.Fd, connect.Watch, upstream, clientEndPoint, started);
                handedOver = true;
                pair.Start();
                return;
            }

            try
            {
                var connection = new DuplexConnection(socket!, connect.Socket!, Config.IdleTimeout, Counters);
                socket = null;
                reason = await connection.RunAsync(_registry);
                fromClient = connection.BytesFromClient;
                toClient = connection.BytesToClient;
            }
            finally
            {
                upstream.OnConnectionEnded();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The drain deadline passed while this connection was still connecting.
            reason = CloseReason.Shutdown;
        }
        catch (Exception ex)
        {
            LogUnexpected(_logger, Config.Name, ex);
        }
        finally
        {
            if (!handedOver)
            {
                // Still ours when it did not reach a pump (the pump disposes what it was given).
                socket?.Dispose();
                if (loop is not null)
                {
                    LibC.Close(fd);
                }

                Complete(started, clientEndPoint, upstream, fromClient, toClient, reason);
            }
        }
    }

    /// <summary>
    /// The end of every connection that got past the limits: counted (as an error unless it
    /// completed), logged (before the counters drop, so "no connection active" also means "all
    /// logged") and its limits released.
    /// </summary>
    internal void Complete(long started, IPEndPoint? client, Health.Upstream? upstream, long fromClient, long toClient, CloseReason reason)
    {
        if (reason is not CloseReason.Completed)
        {
            _metrics.ConnectionError(Config.Name, reason.ToName());
        }

        var elapsed = TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        _metrics.ConnectionDuration(Config.Name, elapsed);
        LogAccess(_accessLog, Config.Name, client, upstream?.AddressText ?? "-", fromClient, toClient, (long)elapsed.TotalMilliseconds, reason.ToName());
        RouteLimit.Release();
        _processLimit.Release();
        Counters.ConnectionClosed();
    }

    internal ConnectionRegistry Registry => _registry;

    private async ValueTask<UpstreamConnectResult> ConnectUpstreamAsync(IPEndPoint? client, EpollLoop? loop)
    {
        var attempts = Math.Max(1, Config.ConnectAttempts);
        var tried = new Health.Upstream?[attempts];
        var context = new BalancingContext(client);
        Health.Upstream? last = null;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var upstream = Cluster.Pick(context, tried);
            if (upstream is null)
            {
                return new UpstreamConnectResult(null, -1, 0, last, attempt);
            }

            tried[attempt] = upstream;
            last = upstream;
            Socket? socket = null;
            var fd = -1;
            uint watch = 0;
            ConnectError error;
            TimeSpan elapsed;
            if (loop is not null)
            {
                var result = await EpollDialer.ConnectAsync(upstream.Address, upstream.LiteralEndPoint, loop, Config.ConnectTimeout, _stopping);
                (fd, error, elapsed, watch) = (result.Fd, result.Error, result.Elapsed, result.Watch);
            }
            else
            {
                var result = await UpstreamDialer.ConnectAsync(upstream.Address, Config.ConnectTimeout, _stopping);
                (socket, error, elapsed) = (result.Socket, result.Error, result.Elapsed);
            }

            _metrics.UpstreamConnectDuration(Cluster.Name, upstream.AddressText, elapsed, error == ConnectError.None);
            if (error == ConnectError.None)
            {
                upstream.ReportConnectSuccess();
                return new UpstreamConnectResult(socket, fd, watch, upstream, attempt + 1);
            }

            if (error != ConnectError.NoDescriptors)
            {
                // Our own descriptor shortage says nothing about the upstream's health.
                upstream.ReportConnectFailure();
            }

            LogConnectFailed(_logger, Config.Name, upstream.AddressText, error.ToName(), attempt + 1, attempts);
        }

        return new UpstreamConnectResult(null, -1, 0, last, attempts);
    }

    private readonly record struct UpstreamConnectResult(Socket? Socket, int Fd, uint Watch, Health.Upstream? Upstream, int Attempts)
    {
        public bool Succeeded => Socket is not null || Fd >= 0;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "route={Route} client={Client} upstream={Upstream} bytes_in={BytesIn} bytes_out={BytesOut} duration_ms={DurationMs} reason={Reason}")]
    private static partial void LogAccess(ILogger logger, string route, IPEndPoint? client, string upstream, long bytesIn, long bytesOut, long durationMs, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Route}: connect to {Upstream} failed ({Reason}), attempt {Attempt} of {Attempts}")]
    private static partial void LogConnectFailed(ILogger logger, string route, string upstream, string reason, int attempt, int attempts);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "{Route}: unexpected error handling a connection")]
    private static partial void LogUnexpected(ILogger logger, string route, Exception exception);
}
