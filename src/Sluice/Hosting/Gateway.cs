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
