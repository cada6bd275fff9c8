using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Forwarding.Epoll;
using Sluice.Protocols.Firehose;
using Sluice.Transport;

namespace Sluice.Firehose;

/// <summary>
/// One running [[firehose]]: its key, session table, master link, limits and reaper. It is the
/// listener's handler; a reload that keeps the config (listen addresses aside) keeps this object,
/// so sessions and the master link carry over.
/// </summary>
internal sealed partial class FirehoseService : IConnectionHandler, IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConnectionLimiter _clients;
    private readonly PerIpLimiter _perIp;
    private readonly ConcurrentDictionary<FirehoseConnection, byte> _connections = new();
    private readonly List<FirehoseSession> _dirty = [];
    private ITimer? _reaper;
    private volatile bool _stopped;

    public FirehoseService(FirehoseConfig config, ILoggerFactory loggers, TimeProvider time)
    {
        Config = config;
        _logger = loggers.CreateLogger("Sluice.Firehose");
        _time = time;
        _clients = new ConnectionLimiter(config.MaxClients);
        _perIp = new PerIpLimiter(config.MaxConnectionsPerIp);
        Key = FirehoseKeyStore.LoadOrCreate(config.KeyFile);
        Master = new MasterLink(this, config.Master, _logger);
    }

    public FirehoseConfig Config { get; }

    public string Name => Config.Name;

    public FirehoseKeyPair Key { get; }

    public FirehoseSessionTable Sessions { get; } = new();

    public FirehoseCounters Counters { get; } = new();

    public MasterLink Master { get; }

    /// <summary>
    /// With the epoll engine, the one loop that serves this firehose's established clients and
    /// its master link, so the data path never changes threads; null with the sockets engine.
    /// </summary>
    public EpollLoop? Loop { get; } = FirehoseEngine.IsEpoll ? EpollLoopGroup.Shared.Next() : null;

    public int MaxMessage => (int)Config.MaxMessage;

    public TimeSpan HandshakeTimeout => Config.HandshakeTimeout;

    public bool MasterEvents => Config.MasterEvents;

    /// <summary>Open client sockets, handshaking or not.</summary>
    public int OpenConnections => _connections.Count;

    public void Start()
    {
        FirehoseLog.GatewayKey(_logger, Name, Convert.ToHexString(Key.PublicKey));
        Master.Start();
        _reaper = _time.CreateTimer(static s => ((FirehoseService)s!).Reap(), this, Config.StaleReapInterval, Config.StaleReapInterval);
    }

    public void OnAccepted(Socket socket)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        if (_stopped)
        {
            socket.Dispose();
            return;
        }

        if (!_perIp.TryAcquire(remote.Address))
        {
            Reject(socket, remote, CloseReasons.PerIpLimit);
            return;
        }

        if (!_clients.TryAcquire())
        {
            _perIp.Release(remote.Address);
            Reject(socket, remote, CloseReasons.MaxClients);
            return;
        }

        var connection = new FirehoseConnection(socket, this);
        _connections[connection] = 0;
        _ = connection.RunAsync();
    }

    private void Reject(Socket socket, IPEndPoint remote, string reason)
    {
        Counters.Close(reason);
        FirehoseLog.Refused(_logger, Name, remote, reason);
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    public void HandshakeFailed(FirehoseConnection connection, string reason, string detail)
    {
        Counters.Close(reason);
        Counters.Handshake(reason is CloseReasons.UnknownId or CloseReasons.ChallengeFailed ? "resume" : "new", reason);
        FirehoseLog.HandshakeFailed(_logger, Name, connection.Remote, reason, detail);
    }

    /// <summary>A handshake finished: the master hears 0x03 for a resume, and 0x04 with events on.</summary>
    public void Connected(FirehoseConnection connection, FirehoseSession session, bool resumed)
    {
        if (resumed)
        {
            Sessions.Resumed(session);
            Counters.Handshake("resume", "ok");
            Master.Post(session.Id, TaggedFlags.Reconnected, default);
            FirehoseLog.ClientResumed(_logger, Name, session.Id, connection.Remote);
        }
        else
        {
            Counters.Handshake("new", "ok");
            FirehoseLog.ClientConnected(_logger, Name, session.Id, connection.Remote);
        }

        if (MasterEvents)
        {
            Master.PostConnected(session.Id, connection.Remote);
        }

        if (_stopped)
        {
            connection.Abort(CloseReasons.Shutdown);
        }
    }

    /// <summary>A new session whose ClientId could not be sent: it never existed for the master.</summary>
    public void Abandon(FirehoseSession session)
    {
        session.Close();
        Sessions.Remove(session);
    }

    /// <summary>A client connection ended after its handshake: its session goes stale (or is already gone).</summary>
    public void ConnectionClosed(FirehoseConnection connection, FirehoseSession session, string reason)
    {
        Counters.Close(reason);
        if (!session.TryMarkStale(connection, _time.GetTimestamp()))
        {
            return;
        }

        FirehoseLog.ClientClosed(_logger, Name, session.Id, connection.Remote, reason);
        if (Config.MissedMessages == 0)
        {
            session.DiscardQueue();
        }

        if (MasterEvents)
        {
            Master.Post(session.Id, TaggedFlags.Disconnected, Encoding.UTF8.GetBytes(reason));
        }

        if (_stopped)
        {
            Fail(session, FailureReasons.Shutdown);
            return;
        }

        if (Sessions.AddStale(session, Config.MaxStaleClients) is { } evicted)
        {
            foreach (var old in evicted)
            {
                SendFailure(old.Id, FailureReasons.Evicted);
            }
        }
    }

    public void Released(FirehoseConnection connection)
    {
        _connections.TryRemove(connection, out _);
        _clients.Release();
        _perIp.Release(connection.Remote.Address);
    }

    private void Reap()
    {
        var cutoff = _time.GetTimestamp() - (long)(Config.StaleTimeout.TotalSeconds * _time.TimestampFrequency);
        foreach (var session in Sessions.Reap(cutoff))
        {
            SendFailure(session.Id, FailureReasons.TimedOut);
        }
    }

    /// <summary>Ends a session for good and tells the master why (0x01).</summary>
    private void Fail(FirehoseSession session, string reason)
    {
        var connection = session.Close();
        Sessions.Remove(session);
        connection?.Abort(CloseReasons.Failed);
        SendFailure(session.Id, reason);
    }

    private void SendFailure(ulong id, string reason)
    {
        Counters.Failure(reason);
        FirehoseLog.ClientFailed(_logger, Name, id, reason);
        Master.Post(id, TaggedFlags.Failure, Encoding.UTF8.GetBytes(reason));
    }

    /// <summary>Stops accepting work, closes every client and the master link.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _reaper?.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Abort(CloseReasons.Shutdown);
        }

        var deadline = _time.GetTimestamp() + (5 * _time.TimestampFrequency);
        while (!_connections.IsEmpty && _time.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }

        await Master.DisposeAsync();
        Key.Dispose();
    }
}
