using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;
using Sluice.Forwarding;
using Sluice.Multiplexing;
using Sluice.Telemetry;
using Sluice.Transport;

namespace Sluice.Tunnels;

/// <summary>
/// The tunnel server: accepts agents (TCP+TLS, plain TCP, or WebSocket), authenticates them,
/// publishes their reverse tunnels as ordinary listeners and serves their forward streams. Agents
/// are known by name; a new session of a name replaces the old one and takes over its ports.
/// </summary>
internal sealed partial class TunnelServer : IConnectionHandler, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ReverseTunnel> _tunnels = [];
    private readonly Dictionary<string, ConnectionLimiter> _agentLimits = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenAgents = new(StringComparer.Ordinal);
    private readonly ConnectionLimiter _processLimit;
    private readonly CancellationTokenSource _stopping = new();
    private volatile TunnelServerConfig _config;
    private volatile Dictionary<string, (TunnelAgentConfig Config, byte[] Key)> _agents;
    private int _disposed;

    public TunnelServer(TunnelServerConfig config, X509Certificate2? certificate, ConnectionLimiter processLimit, SluiceMetrics metrics, ILoggerFactory loggers, bool accessLog)
    {
        _config = config;
        _agents = IndexAgents(config);
        Certificate = certificate;
        _processLimit = processLimit;
        Logger = loggers.CreateLogger("Sluice.Tunnels");
        MuxLogger = loggers.CreateLogger("Sluice.Multiplexing");
        AccessLog = accessLog ? loggers.CreateLogger("Sluice.Access") : NullLogger.Instance;
        Metrics = new TunnelMetrics(metrics);
        Metrics.ObserveSessions(SessionInfos);
        foreach (var agent in config.Agents)
        {
            _agentLimits[agent.Name] = new ConnectionLimiter(agent.MaxConnections);
        }
    }

    public TunnelServerConfig Config => _config;

    /// <summary>The process-wide connection cap ([server] max_connections), which the HTTP edge's connections count against too.</summary>
    public ConnectionLimiter ProcessLimit => _processLimit;

    public X509Certificate2? Certificate { get; }

    public ILogger Logger { get; }

    public ILogger MuxLogger { get; }

    public ILogger AccessLog { get; }

    public TunnelMetrics Metrics { get; }

    /// <summary>User connections through tunnels (reverse and forward), for drain.</summary>
    public ConnectionRegistry Connections { get; } = new();

    public CancellationToken Stopping => _stopping.Token;

    public MuxOptions MuxOptions { get; init; } = new();

    public bool IsConnected(string agent)
    {
        lock (_lock)
        {
            return _sessions.ContainsKey(agent);
        }
    }

    /// <summary>A reload: new tokens and allow lists apply to new sessions and new forward streams; agents removed or re-keyed are closed.</summary>
    public void Update(TunnelServerConfig config)
    {
        var old = _agents;
        _config = config;
        _agents = IndexAgents(config);
        List<AgentSession> stale = [];
        lock (_lock)
        {
            foreach (var agent in config.Agents)
            {
                if (_agentLimits.TryGetValue(agent.Name, out var limit))
                {
                    limit.Limit = agent.MaxConnections;
                }
                else
                {
                    _agentLimits[agent.Name] = new ConnectionLimiter(agent.MaxConnections);
                }
            }

            DropDisallowedHosts(config);
            foreach (var (name, session) in _sessions)
            {
                if (!_agents.TryGetValue(name, out var now) || !old.TryGetValue(name, out var before) || !now.Key.AsSpan().SequenceEqual(before.Key))
                {
                    stale.Add(session);
                }
            }
        }

        foreach (var session in stale)
        {
            _ = session.CloseAsync(Protocols.Tunnels.ControlErrorCode.AuthenticationFailed, "agent removed or its token changed");
        }
    }

    public TunnelAgentConfig? AgentConfig(string agent) => _agents.TryGetValue(agent, out var entry) ? entry.Config : null;

    internal byte[]? AgentKey(string agent) => _agents.TryGetValue(agent, out var entry) ? entry.Key : null;

    public bool TryAcquire(string agent)
    {
        if (!_processLimit.TryAcquire())
        {
            return false;
        }

        ConnectionLimiter? limit;
        lock (_lock)
        {
            _agentLimits.TryGetValue(agent, out limit);
        }

        if (limit is not null && !limit.TryAcquire())
        {
            _processLimit.Release();
            return false;
        }

        return true;
    }

    public void Release(string agent)
    {
        ConnectionLimiter? limit;
        lock (_lock)
        {
            _agentLimits.TryGetValue(agent, out limit);
        }

        limit?.Release();
        _processLimit.Release();
    }

    /// <summary>An agent connected over TCP (the listener is the gateway's, bound in Gateway.Apply).</summary>
    public void OnAccepted(Socket socket)
    {
        if (_stopping.IsCancellationRequested)
        {
            socket.Dispose();
            return;
        }

        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        _ = ServeAgentAsync(new NetworkStream(socket, ownsSocket: true), remote, _config.Tls ? "tls" : "tcp", tls: _config.Tls);
    }

    /// <summary>Go-away to every agent and stop publishing; connections already open keep running until drained.</summary>
    public async Task GoAwayAsync()
    {
        await _stopping.CancelAsync();
        List<AgentSession> sessions;
        List<ReverseTunnel> tunnels;
        lock (_lock)
        {
            sessions = [.. _sessions.Values];
            tunnels = [.. _tunnels.Values];
            _tunnels.Clear();
        }

        TunnelLog.GoingAway(Logger, sessions.Count);
        if (HttpEdge is { } edge)
        {
            HttpEdge = null;
            await edge.DisposeAsync();
        }

        foreach (var tunnel in tunnels)
        {
            if (tunnel.Listener is { } listener)
            {
                await listener.DisposeAsync();
            }
        }

        await Task.WhenAll(sessions.Select(s => s.GoAwayAsync()));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_stopping.IsCancellationRequested)
        {
            await GoAwayAsync();
        }

        List<AgentSession> sessions;
        lock (_lock)
        {
            sessions = [.. _sessions.Values];
        }

        if (HttpEdge is { } edge)
        {
            HttpEdge = null;
            await edge.DisposeAsync();
        }

        Connections.AbortAll(CloseReason.Shutdown);
        await Task.WhenAll(sessions.Select(s => s.CloseAsync(Protocols.Tunnels.ControlErrorCode.ShuttingDown, "server shutting down")));
        Connections.Dispose();
        Certificate?.Dispose();
    }

    private IEnumerable<AgentSessionInfo> SessionInfos()
    {
        List<AgentSession> sessions;
        lock (_lock)
        {
            sessions = [.. _sessions.Values];
        }

        return sessions.Select(s => new AgentSessionInfo(s.Agent, s.Mux.OpenStreams, s.Mux.BufferedBytes, s.Mux.ReceiveWindowBytes, s.Mux.AverageStreamWindow, s.Mux.WindowGrowths));
    }

    private static Dictionary<string, (TunnelAgentConfig, byte[])> IndexAgents(TunnelServerConfig config) =>
        config.Agents.ToDictionary(a => a.Name, a => (a, Encoding.UTF8.GetBytes(a.Token)), StringComparer.Ordinal);
}
