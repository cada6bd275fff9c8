using Microsoft.Extensions.Logging;
using Sluice.Forwarding;
using Sluice.Multiplexing;
using Sluice.Protocols.Tunnels;
using Sluice.Transport;

namespace Sluice.Tunnels;

/// <summary>
/// One authenticated agent on the server: its multiplexed session, its control stream, and the
/// forward streams it opens. Ends when the connection dies, the agent goes silent for three
/// heartbeat intervals, it breaks the protocol, or a newer session of the same agent replaces it.
/// </summary>
internal sealed class AgentSession
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(10);

    private readonly TunnelServer _server;
    private readonly CancellationTokenSource _ended = new();
    private string? _closeReason;
    private InspectFeed? _inspect;

    public AgentSession(TunnelServer server, string agent, MuxSession mux, ControlChannel control)
    {
        _server = server;
        Agent = agent;
        Mux = mux;
        Control = control;
    }

    public string Agent { get; }

    /// <summary>The protocol version agreed in the handshake.</summary>
    public int Version { get; init; } = 1;

    public MuxSession Mux { get; }

    public ControlChannel Control { get; }

    public string CloseReason => _closeReason ?? Mux.CloseReason ?? "closed";

    /// <summary>Serves the session until it ends; never throws.</summary>
    public async Task RunAsync()
    {
        var accept = AcceptLoopAsync();
        try
        {
            await ControlLoopAsync();
        }
        finally
        {
            await _ended.CancelAsync();
            await Mux.DisposeAsync();
            await accept;
        }
    }

    /// <summary>Hands one captured exchange to the agent's inspector; the feed's stream opens with the first.</summary>
    public void Inspect(Inspection.ExchangeRecord record)
    {
        var feed = Volatile.Read(ref _inspect);
        if (feed is null)
        {
            var fresh = new InspectFeed(() => _server.Metrics.InspectDropped(Agent));
            feed = Interlocked.CompareExchange(ref _inspect, fresh, null) ?? fresh;
            if (ReferenceEquals(feed, fresh))
            {
                _ = RunInspectFeedAsync(fresh);
            }
        }

        feed.Post(record);
    }

    private async Task RunInspectFeedAsync(InspectFeed feed)
    {
        var reason = await feed.RunAsync(Mux, _ended.Token);
        if (!_ended.IsCancellationRequested)
        {
            TunnelLog.InspectFeedClosed(_server.Logger, Agent, reason);
        }
    }

    /// <summary>Tells the agent why (best effort) and ends the session.</summary>
    public async Task CloseAsync(ControlErrorCode code, string reason)
    {
        _closeReason ??= reason;
        await Control.TrySendErrorAsync(code, reason);
        await _ended.CancelAsync();
        await Mux.DisposeAsync();
    }

    public async Task GoAwayAsync()
    {
        _closeReason ??= "server shutting down";
        try
        {
            await Control.TrySendErrorAsync(ControlErrorCode.ShuttingDown, "server shutting down");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Mux.GoAwayAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task ControlLoopAsync()
    {
        var silence = _server.Config.HeartbeatInterval * 3;
        try
        {
            while (!_ended.IsCancellationRequested)
            {
                ControlMessage message;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_ended.Token))
                {
                    timeout.CancelAfter(silence);
                    try
                    {
                        message = await Control.ReadAsync(timeout.Token);
                    }
                    catch (OperationCanceledException) when (!_ended.IsCancellationRequested)
                    {
                        _closeReason ??= $"no heartbeat for {(long)silence.TotalSeconds} s";
                        await Control.TrySendErrorAsync(ControlErrorCode.Timeout, _closeReason);
                        return;
                    }
                }

                switch (message)
                {
                    case HeartbeatMessage heartbeat:
                        await Control.WriteAsync(heartbeat, _ended.Token);
                        break;
                    case RegisterMessage register:
                        var results = _server.Register(this, register.Tunnels);
                        await Control.WriteAsync(new RegisterResultMessage(results), _ended.Token);
                        break;
                    case RegisterHttpMessage registerHttp when Version >= TunnelProtocol.HttpTunnels:
                        var httpResults = _server.RegisterHttp(this, registerHttp.Tunnels);
                        await Control.WriteAsync(new RegisterHttpResultMessage(httpResults), _ended.Token);
                        break;
                    case ErrorMessage error:
                        _closeReason ??= $"agent closed: {error.Reason}";
                        return;
                    default:
                        _closeReason ??= $"protocol error: unexpected {message.Type}";
                        await Control.TrySendErrorAsync(ControlErrorCode.ProtocolError, _closeReason);
                        return;
                }
            }
        }
        catch (ControlProtocolException ex)
        {
            _closeReason ??= $"protocol error: {ex.Message}";
            await Control.TrySendErrorAsync(ControlErrorCode.ProtocolError, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            _closeReason ??= Mux.CloseReason ?? "connection closed";
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (await Mux.AcceptStreamAsync(_ended.Token) is { } stream)
            {
                _ = HandleStreamAsync(stream);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task HandleStreamAsync(MuxStream stream)
    {
        StreamHeader header;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_ended.Token);
            timeout.CancelAfter(StreamPreamble.HeaderTimeout);
            header = await StreamPreamble.ReadHeaderAsync(stream, timeout.Token);
            if (header.Kind != StreamKind.Forward)
            {
                throw new ControlProtocolException($"an agent may open only forward streams, got {header.Kind}");
            }
        }
        catch (Exception ex) when (ex is ControlProtocolException or IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException)
        {
            TunnelLog.BadStream(_server.Logger, Agent, ex is OperationCanceledException ? "no stream header in time" : ex.Message);
            stream.Reset();
            await stream.DisposeAsync();
            return;
        }

        await ForwardAsync(stream, header);
    }

    private async Task ForwardAsync(MuxStream stream, StreamHeader header)
    {
        var started = Environment.TickCount64;
        var destination = header.Target.Contains(':', StringComparison.Ordinal) ? $"[{header.Target}]:{header.Port}" : $"{header.Target}:{header.Port}";
        var reason = "completed";
        long bytesIn = 0, bytesOut = 0;
        var acquired = false;
        try
        {
            var rules = _server.AgentConfig(Agent)?.AllowForward ?? [];
            var decision = await ForwardPolicy.DecideAsync(rules, header.Target, header.Port, DialTimeout, _ended.Token);
            if (!decision.Allowed)
            {
                reason = decision.Status == ForwardStatus.NotAllowed ? "not_allowed" : "dns_failure";
                await RefuseAsync(stream, decision.Status, decision.Reason, destination, reason);
                return;
            }

            if (!_server.TryAcquire(Agent))
            {
                reason = "limit";
                await RefuseAsync(stream, ForwardStatus.Failed, "connection limit reached", destination, reason);
                return;
            }

            acquired = true;
            var connect = await UpstreamDialer.ConnectAsync(decision.Target!.Value, DialTimeout, _ended.Token);
            if (connect.Socket is null)
            {
                reason = connect.Reason;
                var status = connect.Error switch
                {
                    ConnectError.Refused => ForwardStatus.Refused,
                    ConnectError.Unreachable => ForwardStatus.Unreachable,
                    ConnectError.DnsFailure => ForwardStatus.DnsFailure,
                    ConnectError.Timeout => ForwardStatus.Timeout,
                    _ => ForwardStatus.Failed,
                };
                await RefuseAsync(stream, status, $"{destination}: {connect.Reason}", destination, reason);
                return;
            }

            await stream.WriteAsync(new ForwardReply(ForwardStatus.Ok, string.Empty).ToArray(), _ended.Token);
            var counters = _server.Metrics.ForTunnel(Agent, "forward");
            counters.ConnectionOpened();
            try
            {
                var connection = new TunnelStreamConnection(connect.Socket, stream, socketIsClient: false, counters, _server.AgentConfig(Agent)?.IdleTimeout ?? TimeSpan.Zero);
                reason = (await connection.RunAsync(_server.Connections)).ToName();
                bytesIn = connection.BytesFromClient;
                bytesOut = connection.BytesToClient;
            }
            finally
            {
                counters.ConnectionClosed();
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            reason = "session_closed";
            stream.Reset();
            await stream.DisposeAsync();
        }
        finally
        {
            if (acquired)
            {
                _server.Release(Agent);
            }

            TunnelLog.ForwardAccess(_server.AccessLog, Agent, destination, bytesIn, bytesOut, Environment.TickCount64 - started, reason);
        }
    }

    private async Task RefuseAsync(MuxStream stream, ForwardStatus status, string why, string destination, string metricReason)
    {
        _server.Metrics.ForwardRefused(Agent, metricReason);
        TunnelLog.ForwardRefused(_server.Logger, Agent, destination, why);
        await stream.WriteAsync(new ForwardReply(status, why).ToArray(), _ended.Token);
        await stream.CompleteWritesAsync();
        await stream.DisposeAsync();
    }
}
