using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.Forwarding;
using Sluice.Protocols.Tunnels;
using Sluice.Telemetry;
using Sluice.Transport;

namespace Sluice.Tunnels;

/// <summary>
/// One public port of an agent: an ordinary Sluice listener whose connections become streams to
/// the agent. The listener outlives sessions: when the agent reconnects, the new session takes
/// it over (<see cref="Session"/> is swapped) and the port is never unbound, so no client sees
/// "connection refused" and no re-bind can fail with "address in use".
/// </summary>
internal sealed class ReverseTunnel : IConnectionHandler
{
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    private readonly TunnelServer _server;
    private volatile AgentSession? _session;
    private volatile string _tunnel;

    public ReverseTunnel(TunnelServer server, string agent, string tunnel, int port)
    {
        _server = server;
        Agent = agent;
        _tunnel = tunnel;
        Port = port;
    }

    public string Agent { get; }

    public int Port { get; }

    public string Tunnel
    {
        get => _tunnel;
        set => _tunnel = value;
    }

    /// <summary>The session new connections go to; null while the agent is reconnecting (connections are refused).</summary>
    public AgentSession? Session
    {
        get => _session;
        set => _session = value;
    }

    public TcpListenerLoop? Listener { get; set; }

    public IPEndPoint? EndPoint => Listener?.LocalEndPoint;

    public void OnAccepted(Socket socket)
    {
        var session = _session;
        if (session is null || !_server.TryAcquire(Agent))
        {
            _server.Metrics.ForwardRefused(Agent, session is null ? "agent_offline" : "limit");
            socket.Dispose();
            return;
        }

        _ = HandleAsync(socket, session, _tunnel);
    }

    private async Task HandleAsync(Socket client, AgentSession session, string tunnel)
    {
        var started = Environment.TickCount64;
        var counters = _server.Metrics.ForTunnel(Agent, tunnel);
        counters.ConnectionOpened();
        var remote = client.RemoteEndPoint as IPEndPoint;
        var reason = CloseReason.Completed;
        long bytesIn = 0, bytesOut = 0;
        try
        {
            Multiplexing.MuxStream stream;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_server.Stopping);
                timeout.CancelAfter(OpenTimeout);
                stream = await session.Mux.OpenStreamAsync(timeout.Token);
                await stream.WriteAsync(StreamHeader.Reverse(tunnel).ToArray(), timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                reason = CloseReason.ConnectFailed;
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                return;
            }

            var connection = new TunnelStreamConnection(client, stream, socketIsClient: true, counters, _server.AgentConfig(Agent)?.IdleTimeout ?? TimeSpan.Zero);
            reason = await connection.RunAsync(_server.Connections);
            bytesIn = connection.BytesFromClient;
            bytesOut = connection.BytesToClient;
        }
        catch (Exception ex)
        {
            TunnelLog.ServerUnexpected(_server.Logger, ex);
            client.Dispose();
        }
        finally
        {
            TunnelLog.ReverseAccess(_server.AccessLog, Agent, tunnel, remote, bytesIn, bytesOut, Environment.TickCount64 - started, reason.ToName());
            counters.ConnectionClosed();
            _server.Release(Agent);
        }
    }
}
