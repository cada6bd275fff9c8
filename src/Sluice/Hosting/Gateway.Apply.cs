using System.Net.Sockets;
using Sluice.Balancing;
using Sluice.Configuration;
using Sluice.Proxy;
using Sluice.Transport;

namespace Sluice.Hosting;

public sealed partial class Gateway
{
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

            routes[routeConfig.Name] = new ProxyRoute(routeConfig, clusters[routeConfig.Cluster], limit, _processLimit, _proxyConnections, Metrics, _loggers, config.Server.AccessLog, _stopping.Token);
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

        var tunnelPlan = await PlanTunnelsAsync(config, wanted);
        if (tunnelPlan.Error is { } tunnelError)
        {
            return [tunnelError];
        }

        // Bind every new listener before touching the running ones, so a failure changes nothing.
        var bound = new Dictionary<ListenerKey, TcpListenerLoop>();
        var errors = new List<string>();
        var firehoses = PrepareFirehoses(config, wanted, errors);
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

            await DiscardFirehosesAsync(firehoses);
            await tunnelPlan.RollbackAsync();
            return errors;
        }

        var stoppedFirehoses = CommitFirehoses(firehoses);
        List<TcpListenerLoop> removed = [];
        lock (_listeners)
        {
            foreach (var (key, listener) in _listeners.ToList())
            {
                if (wanted.TryGetValue(key, out var target))
                {
                    listener.Handler = target.Handler;
                }
                else
                {
                    _listeners.Remove(key);
                    removed.Add(listener);
                }
            }

            foreach (var (key, listener) in bound)
            {
                _listeners[key] = listener;
                listener.Start();
                LogListening(_logger, key.Kind, listener.Owner, listener.LocalEndPoint);
            }
        }

        _routeLimits.Clear();
        foreach (var (name, route) in routes)
        {
            route.RouteLimit.Limit = route.Config.MaxConnections;
            _routeLimits[name] = route.RouteLimit;
        }

        var processLimit = config.Server.MaxConnections;
        if (_fileLimit is { } files && FileDescriptorLimit.MaxProxiedConnections(files) < processLimit)
        {
            processLimit = FileDescriptorLimit.MaxProxiedConnections(files);
            if (processLimit != _processLimit.Limit)
            {
                // Once, not on every reload that keeps the same numbers.
                LogLimitClamped(_logger, config.Server.MaxConnections, files, processLimit);
            }
        }

        _processLimit.Limit = processLimit;
        var oldClusters = _clusters;
        _clusters = clusters;
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

        await StopFirehosesAsync(stoppedFirehoses);
        await CommitTunnelsAsync(tunnelPlan, config);
        return [];
    }
}
