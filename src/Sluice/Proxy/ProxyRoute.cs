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
public sealed partial class ProxyRoute : IConnectionHandler
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

    public void OnAccepted(Socket socket)
    {
        if (!_processLimit.TryAcquire())
        {
            Refuse(socket, CloseReason.ProcessLimit);
            return;
        }

        if (!RouteLimit.TryAcquire())
        {
            _processLimit.Release();
            Refuse(socket, CloseReason.RouteLimit);
            return;
        }

        _ = HandleAsync(socket);
    }

    private void Refuse(Socket socket, CloseReason reason)
    {
        // Closed at once rather than left in the backlog: the client learns immediately, and
        // the refusal is counted instead of turning into an invisible connect timeout.
        _metrics.ConnectionError(Config.Name, reason.ToName());
        LogAccess(_accessLog, Config.Name, socket.RemoteEndPoint as IPEndPoint, "-", 0, 0, 0, reason.ToName());
        socket.Dispose();
    }

    private async Task HandleAsync(Socket client)
    {
        var started = Environment.TickCount64;
        Counters.ConnectionOpened();
        var clientEndPoint = client.RemoteEndPoint as IPEndPoint;
        var loop = EpollLoopGroup.IsEnabled ? EpollLoopGroup.Shared.Next() : null;
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
                _metrics.ConnectionError(Config.Name, reason.ToName());
                client.Dispose();
                return;
            }

            upstream!.OnConnectionStarted();
            if (loop is not null)
            {
                var clientFd = DetachDescriptor(client);
                if (clientFd < 0)
                {
                    // Out of descriptors for the duplicate: refuse this one like any over-limit connection.
                    LibC.Close(connect.Fd);
                    upstream.OnConnectionEnded();
                    reason = CloseReason.ProcessLimit;
                    return;
                }

                // From here the pair owns both descriptors and reports its end through Complete.
                var pair = new ProxiedPair(this, loop, clientFd, connect.Fd, upstream, clientEndPoint, started);
                handedOver = true;
                pair.Start();
                return;
            }

            try
            {
                var connection = new DuplexConnection(client, connect.Socket!, Config.IdleTimeout, Counters);
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
            client.Dispose();
        }
        catch (Exception ex)
        {
            LogUnexpected(_logger, Config.Name, ex);
            client.Dispose();
        }
        finally
        {
            if (!handedOver)
            {
                Complete(started, clientEndPoint, upstream, fromClient, toClient, reason, countError: reason is not CloseReason.Completed and not CloseReason.NoHealthyUpstream and not CloseReason.ConnectFailed);
            }
        }
    }

    /// <summary>
    /// The end of every connection that got past the limits: counted, logged (before the counters
    /// drop, so "no connection active" also means "all logged") and its limits released.
    /// </summary>
    internal void Complete(long started, IPEndPoint? client, Health.Upstream? upstream, long fromClient, long toClient, CloseReason reason, bool countError)
    {
        if (countError)
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

    /// <summary>
    /// A descriptor of our own for an accepted <see cref="Socket"/>, which is then disposed. The
    /// Socket never ran an async operation, so .NET's socket engine never watched it, and the
    /// duplicate keeps the connection open when the Socket closes its descriptor. -1 when out of descriptors.
    /// </summary>
    private static int DetachDescriptor(Socket socket)
    {
        var fd = LibC.Fcntl((int)socket.Handle, LibC.FDupFdCloexec, 0);
        socket.Dispose();
        return fd;
    }

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
                return new UpstreamConnectResult(null, -1, last, attempt);
            }

            tried[attempt] = upstream;
            last = upstream;
            Socket? socket = null;
            var fd = -1;
            ConnectError error;
            TimeSpan elapsed;
            if (loop is not null)
            {
                var result = await EpollDialer.ConnectAsync(upstream.Address, upstream.LiteralEndPoint, loop, Config.ConnectTimeout, _stopping);
                (fd, error, elapsed) = (result.Fd, result.Error, result.Elapsed);
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
                return new UpstreamConnectResult(socket, fd, upstream, attempt + 1);
            }

            if (error != ConnectError.NoDescriptors)
            {
                // Our own descriptor shortage says nothing about the upstream's health.
                upstream.ReportConnectFailure();
            }

            LogConnectFailed(_logger, Config.Name, upstream.AddressText, error.ToName(), attempt + 1, attempts);
        }

        return new UpstreamConnectResult(null, -1, last, attempts);
    }

    private readonly record struct UpstreamConnectResult(Socket? Socket, int Fd, Health.Upstream? Upstream, int Attempts)
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
