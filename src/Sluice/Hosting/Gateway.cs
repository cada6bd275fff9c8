using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Forwarding;
using Sluice.Proxy;
using Sluice.Telemetry;
using Sluice.Transport;

namespace Sluice.Hosting;

/// <summary>
/// The running engine: listeners, routes, clusters and the connections they carry. Applying a
/// config (at start or on reload) binds what is new first, then swaps routes into the listeners
/// that stay, then closes what is gone, so a reload never drops a listener that keeps serving,
/// and a reload that cannot bind changes nothing.
/// </summary>
public sealed partial class Gateway : IGatewayStatus, IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly long? _fileLimit;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConnectionRegistry _proxyConnections = new();
    private readonly ConnectionRegistry _echoConnections = new();
    private readonly Dictionary<ListenerKey, TcpListenerLoop> _listeners = [];
    private readonly Dictionary<string, ConnectionLimiter> _routeLimits = new(StringComparer.Ordinal);
    private readonly ConnectionLimiter _processLimit = new(int.MaxValue);
    private IReadOnlyDictionary<string, UpstreamCluster> _clusters = new Dictionary<string, UpstreamCluster>();
    private IReadOnlyDictionary<string, ProxyRoute> _routes = new Dictionary<string, ProxyRoute>();
    private SluiceConfig _config = new();
    private volatile bool _draining;
    private int _disposed;

    public Gateway(ILoggerFactory loggers, SluiceMetrics? metrics = null, TimeProvider? time = null)
    {
        _loggers = loggers;
        _time = time ?? TimeProvider.System;
        _fileLimit = FileDescriptorLimit.RaiseSoftLimit();
        _logger = loggers.CreateLogger("Sluice.Gateway");
        Metrics = metrics ?? new SluiceMetrics();
        Metrics.ObserveClusters(() => _clusters.Values);
    }

    public bool IsDraining => _draining;

    public SluiceConfig Config => _config;

    public IReadOnlyDictionary<string, UpstreamCluster> Clusters => _clusters;

    public IReadOnlyDictionary<string, ProxyRoute> Routes => _routes;

    public SluiceMetrics Metrics { get; }

    /// <summary>The process-wide connection cap in force: max_connections, lowered to fit the open-file limit.</summary>
    public int EffectiveMaxConnections => _processLimit.Limit;

    /// <summary>Proxied connections open now, across routes.</summary>
    public int ActiveConnections => _proxyConnections.Count;

    /// <summary>The bound endpoints of a proxy route or echo server (tests use port 0 and read the port here).</summary>
    public IReadOnlyList<IPEndPoint> EndpointsOf(string name)
    {
        lock (_listeners)
        {
            return _listeners.Values.Where(l => l.Owner == name).Select(l => l.LocalEndPoint).ToArray();
        }
    }

    /// <summary>
    /// Makes <paramref name="config"/> the running config. Returns the errors that stopped it
    /// (e.g. an address in use); on error nothing changed.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(SluiceConfig config, CancellationToken cancellationToken = default)
    {
        await _applyLock.WaitAsync(cancellationToken);
        try
        {
            if (_draining)
            {
                return ["the gateway is draining; config not applied"];
            }

            return await ApplyLockedAsync(config);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private async Task<IReadOnlyList<string>> ApplyLockedAsync(SluiceConfig config)
    {
        // New cluster objects every time; Create carries each upstream's health and connection
        // count over from the previous cluster of that name when its address and checks match.
        var clusters = new Dictionary<string, UpstreamCluster>(StringComparer.Ordinal);
        foreach (var clusterConfig in config.Clusters)
        {
            _clusters.TryGetValue(clusterConfig.Name, out var previous);
            clusters[clusterConfig.Name] = UpstreamCluster.Create(clusterConfig, previous, _time, _loggers);
        }

        var routes = new Dictionary<string, ProxyRoute>(StringComparer.Ordinal);
        foreach (var routeConfig in config.Proxies)
        {
            if (!_routeLimits.TryGetValue(routeConfig.Name, out var limit))
            {
                limit = new ConnectionLimiter(routeConfig.MaxConnections);
            }

            routes[routeConfig.Name] = new ProxyRoute(routeConfig, clusters[routeConfig.Cluster], limit, _processLimit, _proxyConnections, Metrics, _loggers, _stopping.Token);
        }

        var wanted = new Dictionary<ListenerKey, (IConnectionHandler Handler, string Owner)>();
        foreach (var route in routes.Values)
        {
            foreach (var address in route.Config.Listen)
            {
                wanted[ListenerKey.For("proxy", route.Config.Name, address)] = (route, route.Config.Name);
            }
        }

        foreach (var echo in config.Echoes)
        {
            var handler = new EchoHandler(_echoConnections);
            foreach (var address in echo.Listen)
            {
                wanted[ListenerKey.For("echo", echo.Name, address)] = (handler, echo.Name);
            }
        }

        // Bind every new listener before touching the running ones, so a failure changes nothing.
        var bound = new Dictionary<ListenerKey, TcpListenerLoop>();
        var errors = new List<string>();
        foreach (var (key, (handler, owner)) in wanted)
        {
            lock (_listeners)
            {
                if (_listeners.ContainsKey(key))
                {
                    continue;
                }
            }

            try
            {
                bound[key] = TcpListenerLoop.Bind(key.Address, handler, _logger, owner);
            }
            catch (Exception ex) when (ex is SocketException or ArgumentException)
            {
                errors.Add($"{key.Kind} \"{owner}\": cannot listen on {key.Address}: {ex.Message}");
            }
        }

        if (errors.Count > 0)
        {
            foreach (var listener in bound.Values)
            {
                await listener.DisposeAsync();
            }

            foreach (var cluster in clusters.Values)
            {
                await cluster.DisposeAsync();
            }

            return errors;
        }

        List<TcpListenerLoop> removed = [];
        lock (_listeners)
        {
            foreach (var (key, listener) in _listeners)
            {
                if (wanted.TryGetValue(key, out var target))
                {
                    listener.Handler = target.Handler;
                }
                else
                {
                    removed.Add(listener);
                }
            }

            foreach (var key in _listeners.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
            {
                _listeners.Remove(key);
            }

            foreach (var (key, listener) in bound)
            {
                _listeners[key] = listener;
                listener.Start();
                LogListening(_logger, key.Kind, listener.Owner, listener.LocalEndPoint);
            }
        }

        foreach (var (name, route) in routes)
        {
            route.RouteLimit.Limit = route.Config.MaxConnections;
            _routeLimits[name] = route.RouteLimit;
        }

        foreach (var name in _routeLimits.Keys.Where(n => !routes.ContainsKey(n)).ToList())
        {
            _routeLimits.Remove(name);
        }

        var processLimit = config.Server.MaxConnections;
        if (_fileLimit is { } files && FileDescriptorLimit.MaxProxiedConnections(files) < processLimit)
        {
            processLimit = FileDescriptorLimit.MaxProxiedConnections(files);
            LogLimitClamped(_logger, config.Server.MaxConnections, files, processLimit);
        }

        _processLimit.Limit = processLimit;
        var oldClusters = _clusters;
        _clusters = clusters;
        _routes = routes;
        _config = config;

        // Connections already running keep their old cluster object (and its upstreams) until
        // they end; only its health checks stop here, the new cluster's take over.
        foreach (var cluster in clusters.Values)
        {
            cluster.StartHealthChecks();
        }

        foreach (var cluster in oldClusters.Values)
        {
            await cluster.DisposeAsync();
        }

        foreach (var listener in removed)
        {
            LogStoppedListening(_logger, listener.LocalEndPoint);
            await listener.DisposeAsync();
        }

        return [];
    }

    /// <summary>
    /// Graceful stop: stop accepting, let proxied connections finish until
    /// <paramref name="deadline"/>, then abort what is left. Echo backends go last, so proxied
    /// connections to them can finish.
    /// </summary>
    public async Task DrainAsync(TimeSpan deadline)
    {
        _draining = true;
        await _applyLock.WaitAsync();
        try
        {
            List<TcpListenerLoop> listeners;
            lock (_listeners)
            {
                listeners = _listeners.Where(l => l.Key.Kind != "echo").Select(l => l.Value).ToList();
            }

            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }

            LogDraining(_logger, _proxyConnections.Count, (long)deadline.TotalMilliseconds);
            using var timeout = new CancellationTokenSource(deadline);
            try
            {
                await _proxyConnections.WaitForEmptyAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                LogDrainDeadline(_logger, _proxyConnections.Count);
                _stopping.Cancel();
                _proxyConnections.AbortAll(CloseReason.Shutdown);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _proxyConnections.WaitForEmptyAsync(grace.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            lock (_listeners)
            {
                listeners = _listeners.Values.ToList();
                _listeners.Clear();
            }

            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }

            _echoConnections.AbortAll(CloseReason.Shutdown);
            foreach (var cluster in _clusters.Values)
            {
                await cluster.DisposeAsync();
            }
        }
        finally
        {
            _applyLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: the container disposes it once per registration (Gateway, IGatewayStatus).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_draining)
        {
            await DrainAsync(TimeSpan.Zero);
        }

        _stopping.Cancel();
        _proxyConnections.Dispose();
        _echoConnections.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "server.max_connections = {Configured} does not fit the open-file limit of {Files} (two per proxied connection plus a reserve): capped at {Effective}; raise `ulimit -n` to allow more")]
    private static partial void LogLimitClamped(ILogger logger, int configured, long files, int effective);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "{Kind} \"{Name}\" listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string kind, string name, IPEndPoint endpoint);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "stopped listening on {Endpoint}")]
    private static partial void LogStoppedListening(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "draining: stopped accepting; waiting for {Connections} connections, at most {DeadlineMs} ms")]
    private static partial void LogDraining(ILogger logger, int connections, long deadlineMs);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "drain deadline reached: closing {Connections} connections")]
    private static partial void LogDrainDeadline(ILogger logger, int connections);
}
