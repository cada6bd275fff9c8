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
    private readonly Counter<long> _inspectDropped;
    private readonly Counter<long> _httpRequests;
    private readonly Counter<long> _httpBytes;
    private readonly Histogram<double> _httpDuration;
    private readonly ConcurrentDictionary<string, HttpHostCounters> _hosts = new(StringComparer.Ordinal);
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
        _inspectDropped = meter.CreateCounter<long>(
            "sluice.tunnel.inspect.dropped",
            unit: "{exchange}",
            description: "Captured HTTP exchanges not sent to the agent's inspector, per agent: its feed was 256 behind, or one was too large for a frame even without bodies.");
        _httpRequests = meter.CreateCounter<long>(
            "sluice.tunnel.http.requests",
            unit: "{request}",
            description: "Requests through the HTTP edge, by host (\"unknown\" for hosts no agent holds) and status class (none = no response was sent).");
        _httpBytes = meter.CreateCounter<long>(
            "sluice.tunnel.http.transferred",
            unit: "By",
            description: "Body bytes through the HTTP edge, by host and direction (request, response).");
        _httpDuration = meter.CreateHistogram<double>(
            "sluice.tunnel.http.duration",
            unit: "s",
            description: "From a request's arrival at the HTTP edge to the end of its response, by host.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        Unknown = new HttpHostCounters("unknown", _httpRequests, _httpBytes, _httpDuration);
    }

    /// <summary>Requests for hosts no agent holds: one series, whatever Host header they named.</summary>
    public HttpHostCounters Unknown { get; }

    public HttpHostCounters ForHost(string host) => _hosts.GetOrAdd(host, h => new HttpHostCounters(h, _httpRequests, _httpBytes, _httpDuration));

    public void ObserveSessions(Func<IEnumerable<AgentSessionInfo>> sessions) => _sessions = sessions;

    public RouteCounters ForTunnel(string agent, string tunnel) => _tunnels.GetOrAdd((agent, tunnel), static k => new RouteCounters(k.Tunnel));

    public void AuthFailure(string reason) => _authFailures.Add(1, Tag("reason", reason));

    public void Reconnect(string agent) => _reconnects.Add(1, Tag("agent", agent));

    public void ForwardRefused(string agent, string reason) => _forwardRefusals.Add(1, Tag("agent", agent), Tag("reason", reason));

    public void InspectDropped(string agent) => _inspectDropped.Add(1, Tag("agent", agent));

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
