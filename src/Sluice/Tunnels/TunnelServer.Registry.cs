using System.Net.Sockets;
using Sluice.Configuration;
using Sluice.Protocols.Tunnels;
using Sluice.Transport;

namespace Sluice.Tunnels;

internal sealed partial class TunnelServer
{
    /// <summary>Makes <paramref name="session"/> the agent's session; an older one is told it was replaced and closed, its ports held for the new one.</summary>
    private async Task Attach(AgentSession session)
    {
        AgentSession? old;
        lock (_lock)
        {
            _sessions.TryGetValue(session.Agent, out old);
            _sessions[session.Agent] = session;
            foreach (var tunnel in _tunnels.Values)
            {
                if (tunnel.Agent == session.Agent)
                {
                    tunnel.Session = null;
                }
            }

            ReleaseHttpSessions(session.Agent);
            if (!_seenAgents.Add(session.Agent))
            {
                Metrics.Reconnect(session.Agent);
            }
        }

        if (old is not null)
        {
            TunnelLog.AgentReplaced(Logger, session.Agent);
            await old.CloseAsync(ControlErrorCode.Replaced, "replaced by a newer session of this agent");
        }
    }

    /// <summary>The session ended: when it is still the agent's current one, its ports close; a replaced session leaves them to its successor.</summary>
    private async Task Detach(AgentSession session)
    {
        List<ReverseTunnel> closing = [];
        lock (_lock)
        {
            if (_sessions.TryGetValue(session.Agent, out var current) && current == session)
            {
                _sessions.Remove(session.Agent);
                ReleaseHttpSessions(session.Agent);
                foreach (var (port, tunnel) in _tunnels.ToList())
                {
                    if (tunnel.Agent == session.Agent)
                    {
                        _tunnels.Remove(port);
                        closing.Add(tunnel);
                    }
                }
            }
        }

        Metrics.SessionClosed(ReasonLabel(session.CloseReason));
        TunnelLog.AgentDisconnected(Logger, session.Agent, session.CloseReason);
        await CloseTunnels(closing);
    }

    /// <summary>Publishes what the agent asked for, re-using the ports it already holds; the answer has one result per request.</summary>
    public TunnelResult[] Register(AgentSession session, IReadOnlyList<TunnelRequest> requests)
    {
        var allowed = AgentConfig(session.Agent)?.AllowPorts ?? [];
        var results = new TunnelResult[requests.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ports = new HashSet<int>();
        List<ReverseTunnel> stale = [];
        lock (_lock)
        {
            if (!_sessions.TryGetValue(session.Agent, out var current) || current != session)
            {
                return [.. requests.Select(r => new TunnelResult(r.Name, RegisterStatus.Unavailable, r.RemotePort, "session replaced"))];
            }

            for (var i = 0; i < requests.Count; i++)
            {
                var request = requests[i];
                results[i] = RegisterOne(session, request, allowed, names, ports);
            }

            foreach (var (port, tunnel) in _tunnels.ToList())
            {
                if (tunnel.Agent == session.Agent && !ports.Contains(port))
                {
                    _tunnels.Remove(port);
                    stale.Add(tunnel);
                }
            }
        }

        _ = CloseTunnels(stale);
        return results;
    }

    private TunnelResult RegisterOne(AgentSession session, TunnelRequest request, IReadOnlyList<PortRange> allowed, HashSet<string> names, HashSet<int> ports)
    {
        TunnelResult Fail(RegisterStatus status, string why)
        {
            TunnelLog.TunnelRefused(Logger, session.Agent, request.Name, request.RemotePort, why);
            return new TunnelResult(request.Name, status, request.RemotePort, why);
        }

        if (request.Name.Length == 0 || !names.Add(request.Name))
        {
            return Fail(RegisterStatus.Invalid, "tunnel names must be non-empty and unique");
        }

        if (request.RemotePort == 0 || !ports.Add(request.RemotePort))
        {
            return Fail(RegisterStatus.Invalid, "ports must be 1-65535 and unique");
        }

        if (!allowed.Any(r => r.Contains(request.RemotePort)))
        {
            ports.Remove(request.RemotePort);
            return Fail(RegisterStatus.NotAllowed, $"port {request.RemotePort} is not in this agent's allow_ports");
        }

        if (_tunnels.TryGetValue(request.RemotePort, out var existing))
        {
            if (existing.Agent != session.Agent)
            {
                ports.Remove(request.RemotePort);
                return Fail(RegisterStatus.Unavailable, $"port {request.RemotePort} is used by another agent");
            }

            existing.Tunnel = request.Name;
            existing.Session = session;
            TunnelLog.TunnelPublished(Logger, session.Agent, request.Name, existing.EndPoint!);
            return new TunnelResult(request.Name, RegisterStatus.Ok, request.RemotePort, existing.EndPoint!.ToString());
        }

        var tunnel = new ReverseTunnel(this, session.Agent, request.Name, request.RemotePort);
        try
        {
            tunnel.Listener = TcpListenerLoop.Bind(new HostPort(_config.Listen.Host, request.RemotePort), tunnel, Logger, $"{session.Agent}/{request.Name}");
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            ports.Remove(request.RemotePort);
            return Fail(RegisterStatus.Unavailable, $"cannot listen on port {request.RemotePort}: {ex.Message}");
        }

        tunnel.Session = session;
        _tunnels[request.RemotePort] = tunnel;
        tunnel.Listener.Start();
        TunnelLog.TunnelPublished(Logger, session.Agent, request.Name, tunnel.EndPoint!);
        return new TunnelResult(request.Name, RegisterStatus.Ok, request.RemotePort, tunnel.EndPoint!.ToString());
    }

    /// <summary>A short, bounded label for the metric (the log line has the full reason).</summary>
    private static string ReasonLabel(string reason) => reason switch
    {
        _ when reason.StartsWith("replaced", StringComparison.Ordinal) => "replaced",
        _ when reason.StartsWith("no heartbeat", StringComparison.Ordinal) => "heartbeat_timeout",
        _ when reason.StartsWith("protocol error", StringComparison.Ordinal) => "protocol_error",
        _ when reason.StartsWith("agent closed", StringComparison.Ordinal) => "agent_closed",
        _ when reason.StartsWith("server shutting down", StringComparison.Ordinal) => "shutdown",
        _ when reason.StartsWith("agent removed", StringComparison.Ordinal) => "config_changed",
        _ => "connection_lost",
    };

    private async Task CloseTunnels(List<ReverseTunnel> tunnels)
    {
        foreach (var tunnel in tunnels)
        {
            tunnel.Session = null;
            if (tunnel.Listener is { } listener)
            {
                TunnelLog.TunnelClosed(Logger, tunnel.Agent, tunnel.Tunnel, listener.LocalEndPoint);
                await listener.DisposeAsync();
            }
        }
    }
}
