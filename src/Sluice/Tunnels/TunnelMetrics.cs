using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sluice.Telemetry;

namespace Sluice.Tunnels;

/// <summary>
/// The tunnel server's instruments, on the gateway's "Sluice" meter so the admin endpoint exports
/// them. Hot-path numbers (bytes, open streams) are plain counters read at scrape time.
/// </summary>
internal sealed class TunnelMetrics
{
    private readonly ConcurrentDictionary<(string Agent, string Tunnel), RouteCounters> _tunnels = new();
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _forwardRefusals;
    private readonly Counter<long> _agentsClosed;
    private volatile Func<IEnumerable<AgentSessionInfo>> _sessions = static () => [];

    public TunnelMetrics(SluiceMetrics metrics)
    {
        var meter = metrics.Meter;
        meter.CreateObservableUpDownCounter(
            "sluice.tunnel.agents.connected",
            () => _sessions().Count(),
            unit: "{agent}",
            description: "Agents with an authenticated session now.");
        meter.CreateObservableUpDownCounter(
            "sluice.tunnel.streams.active",
            ObserveStreams,
            unit: "{stream}",
            description: "Multiplexed streams open now, per agent (user connections and forwards, plus the control stream).");
        meter.CreateObservableCounter(
            "sluice.tunnel.transferred",
            ObserveBytes,
            unit: "By",
            description: "Bytes carried per agent and tunnel (reverse tunnels by name, forwards as \"forward\") and direction.");
        meter.CreateObservableCounter(
            "sluice.tunnel.connections",
            () => _tunnels.Select(t => new Measurement<long>(t.Value.Total, Tag("agent", t.Key.Agent), Tag("tunnel", t.Key.Tunnel))),
            unit: "{connection}",
            description: "User connections carried per agent and tunnel.");
        meter.CreateObservableGauge(
            "sluice.tunnel.session.buffered",
            () => _sessions().Select(s => new Measurement<long>(s.BufferedBytes, Tag("agent", s.Agent))),
            unit: "By",
            description: "Bytes received and not yet read across an agent session's streams (bounded by the session buffer limit).");
        meter.CreateObservableGauge(
            "sluice.tunnel.session.window",
            () => _sessions().Select(s => new Measurement<long>(s.ReceiveWindow, Tag("agent", s.Agent))),
            unit: "By",
            description: "Receive window granted across an agent session's open streams (what the agent may have in flight); grows as throughput-bound streams widen their windows.");
        meter.CreateObservableGauge(
            "sluice.tunnel.stream.window",
            () => _sessions().Select(s => new Measurement<long>(s.AverageStreamWindow, Tag("agent", s.Agent))),
            unit: "By",
            description: "Mean receive window of an agent session's open streams.");
        meter.CreateObservableCounter(
            "sluice.tunnel.window.growths",
            () => _sessions().Select(s => new Measurement<long>(s.WindowGrowths, Tag("agent", s.Agent))),
            unit: "{growth}",
            description: "Times a stream's receive window was doubled because it was throughput-bound, per current agent session.");
        _authFailures = meter.CreateCounter<long>(
            "sluice.tunnel.auth.failures",
            unit: "{attempt}",
            description: "Agent connections refused before registering, by reason (bad_credentials, bad_protocol, timeout, tls, closed, overloaded).");
        _reconnects = meter.CreateCounter<long>(
            "sluice.tunnel.reconnects",
            unit: "{session}",
            description: "Agent sessions that replaced or followed an earlier session of the same agent.");
        _forwardRefusals = meter.CreateCounter<long>(
            "sluice.tunnel.forward.refused",
            unit: "{stream}",
            description: "Forward streams refused, by agent and reason (not_allowed, connect_refused, ...).");
        _agentsClosed = meter.CreateCounter<long>(
            "sluice.tunnel.sessions.closed",
            unit: "{session}",
            description: "Agent sessions ended, by reason.");
    }

    public void ObserveSessions(Func<IEnumerable<AgentSessionInfo>> sessions) => _sessions = sessions;

    public RouteCounters ForTunnel(string agent, string tunnel) => _tunnels.GetOrAdd((agent, tunnel), static k => new RouteCounters(k.Tunnel));

    public void AuthFailure(string reason) => _authFailures.Add(1, Tag("reason", reason));

    public void Reconnect(string agent) => _reconnects.Add(1, Tag("agent", agent));

    public void ForwardRefused(string agent, string reason) => _forwardRefusals.Add(1, Tag("agent", agent), Tag("reason", reason));

    public void SessionClosed(string reason) => _agentsClosed.Add(1, Tag("reason", reason));

    private IEnumerable<Measurement<long>> ObserveStreams() =>
        _sessions().Select(s => new Measurement<long>(s.OpenStreams, Tag("agent", s.Agent)));

    private IEnumerable<Measurement<long>> ObserveBytes()
    {
        foreach (var ((agent, tunnel), counters) in _tunnels)
        {
            yield return new Measurement<long>(counters.BytesFromClient, Tag("agent", agent), Tag("tunnel", tunnel), Tag("direction", "client_to_upstream"));
            yield return new Measurement<long>(counters.BytesToClient, Tag("agent", agent), Tag("tunnel", tunnel), Tag("direction", "upstream_to_client"));
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
