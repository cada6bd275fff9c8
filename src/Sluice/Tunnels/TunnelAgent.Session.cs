using System.Net.Sockets;
using Sluice.Forwarding;
using Sluice.Multiplexing;
using Sluice.Protocols.Tunnels;
using Sluice.Transport;

namespace Sluice.Tunnels;

internal sealed partial class TunnelAgent
{
    /// <summary>One connection to the server, from connect to its end; returns why it ended.</summary>
    private async Task<string> RunSessionAsync()
    {
        var (transport, kind) = await AgentTransport.ConnectAsync(Config, _validator, _stopping.Token);
        _transport = transport;
        var mux = MuxSession.Start(transport, isClient: true, MuxOptions, _muxLogger);
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            handshake.CancelAfter(Config.ConnectTimeout);
            var control = new ControlChannel(await mux.OpenStreamAsync(handshake.Token));
            await control.WriteAsync(new HelloMessage(TunnelProtocol.Version, Config.Name), handshake.Token);
            var challenge = await control.ReadExpectedAsync<ChallengeMessage>(handshake.Token);
            var proof = TunnelAuth.ComputeProof(Config.Token, challenge.Nonce, Config.Name, challenge.Version);
            await control.WriteAsync(new AuthProofMessage(proof), handshake.Token);
            var welcome = await control.ReadExpectedAsync<WelcomeMessage>(handshake.Token);
            await control.WriteAsync(new RegisterMessage([.. Config.Exposes.Where(e => !e.IsHttp).Select(e => new TunnelRequest(e.Name, (ushort)e.RemotePort))]), handshake.Token);
            var result = await control.ReadExpectedAsync<RegisterResultMessage>(handshake.Token);
            var httpResult = await RegisterHttpAsync(control, challenge.Version, handshake.Token);

            Sessions++;
            LastServerError = null;
            _session = mux;
            TunnelLog.AgentSessionUp(_logger, Config.Name, $"{Config.Server} ({kind})", Config.Exposes.Count);
            ReportHttpRegistration(httpResult);
            ReportRegistration(result);

            var interval = TimeSpan.FromMilliseconds(Math.Clamp(welcome.HeartbeatIntervalMs, 100u, 3_600_000u));
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var accept = AcceptLoopAsync(mux, ended.Token);
            var heartbeats = HeartbeatLoopAsync(control, interval, ended.Token);
            try
            {
                return await ControlLoopAsync(mux, control, interval * 3, ended.Token);
            }
            finally
            {
                _session = null;
                await ended.CancelAsync();
                await mux.DisposeAsync();
                await accept;
                await heartbeats;
            }
        }
        finally
        {
            _session = null;
            _transport = null;
            await mux.DisposeAsync();
        }
    }

    /// <summary>Registers the HTTP tunnels (protocol v2); against an older server each is reported refused and the session goes on.</summary>
    private async Task<RegisterHttpResultMessage> RegisterHttpAsync(ControlChannel control, ushort version, CancellationToken cancellationToken)
    {
        var requests = Config.Exposes.Where(e => e.IsHttp).Select(HttpRequestFor).ToList();
        if (requests.Count == 0)
        {
            return new RegisterHttpResultMessage([]);
        }

        if (version < TunnelProtocol.HttpTunnels)
        {
            return new RegisterHttpResultMessage([.. requests.Select(r => new HttpTunnelResult(r.Name, RegisterStatus.Unavailable, $"the server speaks protocol v{version}, which has no HTTP tunnels"))]);
        }

        await control.WriteAsync(new RegisterHttpMessage(requests), cancellationToken);
        return await control.ReadExpectedAsync<RegisterHttpResultMessage>(cancellationToken);
    }

    /// <summary>The wire form of an HTTP [[expose]]: credentials only as the SHA-256 of the header value the edge must see.</summary>
    private HttpTunnelRequest HttpRequestFor(Configuration.ExposeConfig expose)
    {
        var (kind, header, value) = expose switch
        {
            { BasicAuth: { } basic } => (HttpAuthKind.Basic, "Authorization", $"Basic {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(basic))}"),
            { AuthHeader: { } pair } => (HttpAuthKind.Header, pair.Name, pair.Value),
            _ => (HttpAuthKind.None, string.Empty, string.Empty),
        };
        var hash = kind == HttpAuthKind.None ? [] : System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value));
        return new HttpTunnelRequest(expose.Name, expose.HttpHost!, kind, header, hash, expose.HostHeader ?? string.Empty, Config.Inspect is not null, (uint)Config.InspectBodyBytes);
    }

    private void ReportHttpRegistration(RegisterHttpResultMessage result)
    {
        foreach (var tunnel in result.Tunnels)
        {
            var expose = Config.Exposes.FirstOrDefault(e => e.Name == tunnel.Name);
            if (tunnel.Status == RegisterStatus.Ok)
            {
                TunnelLog.AgentHttpTunnelUp(_logger, tunnel.Name, tunnel.Detail, expose?.Local.ToString() ?? "?");
            }
            else
            {
                TunnelLog.AgentHttpTunnelRefused(_logger, tunnel.Name, expose?.HttpHost ?? "?", tunnel.Detail);
            }
        }

        HttpTunnels = result.Tunnels;
    }

    private void ReportRegistration(RegisterResultMessage result)
    {
        foreach (var tunnel in result.Tunnels)
        {
            var expose = Config.Exposes.FirstOrDefault(e => e.Name == tunnel.Name);
            if (tunnel.Status == RegisterStatus.Ok)
            {
                TunnelLog.AgentTunnelUp(_logger, tunnel.Name, tunnel.Detail, expose?.Local.ToString() ?? "?");
            }
            else
            {
                TunnelLog.AgentTunnelRefused(_logger, tunnel.Name, tunnel.Port, tunnel.Detail);
            }
        }

        var registered = _registered;
        _registered = NewRegistered();
        registered.TrySetResult(result.Tunnels);
    }

    private async Task<string> ControlLoopAsync(MuxSession mux, ControlChannel control, TimeSpan silence, CancellationToken cancellationToken)
    {
        while (true)
        {
            ControlMessage message;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(silence);
                try
                {
                    message = await control.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return $"no heartbeat from the server for {(long)silence.TotalSeconds} s";
                }
            }

            switch (message)
            {
                case HeartbeatMessage:
                    break;
                case RegisterResultMessage result:
                    ReportRegistration(result);
                    break;
                case RegisterHttpResultMessage httpResult:
                    ReportHttpRegistration(httpResult);
                    break;
                case ErrorMessage { Code: ControlErrorCode.ShuttingDown } error:
                    await DrainGoingAwayAsync(mux, error, cancellationToken);
                    throw new ControlErrorException(error);
                case ErrorMessage error:
                    throw new ControlErrorException(error);
                default:
                    await control.TrySendErrorAsync(ControlErrorCode.ProtocolError, $"unexpected {message.Type}");
                    return $"protocol error: unexpected {message.Type}";
            }
        }
    }

    /// <summary>
    /// The server is draining: no new streams go to this session, but the user connections
    /// already on it are left to finish (the server ends them at its own deadline).
    /// </summary>
    private async Task DrainGoingAwayAsync(MuxSession mux, ErrorMessage error, CancellationToken cancellationToken)
    {
        _session = null;
        LastServerError = error.Reason;
        try
        {
            while (mux.OpenStreams > 1 && !mux.IsClosed)
            {
                await Task.WhenAny(mux.Completion, Task.Delay(100, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task HeartbeatLoopAsync(ControlChannel control, TimeSpan interval, CancellationToken cancellationToken)
    {
        ulong sequence = 0;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await control.WriteAsync(new HeartbeatMessage(++sequence), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task AcceptLoopAsync(MuxSession mux, CancellationToken cancellationToken)
    {
        try
        {
            while (await mux.AcceptStreamAsync(cancellationToken) is { } stream)
            {
                _ = ServeReverseAsync(stream, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>The server opened a stream for a user of one of our tunnels: dial the local service and pump.</summary>
    private async Task ServeReverseAsync(MuxStream stream, CancellationToken cancellationToken)
    {
        try
        {
            StreamHeader header;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(StreamPreamble.HeaderTimeout);
                header = await StreamPreamble.ReadHeaderAsync(stream, timeout.Token);
            }

            if (header.Kind == StreamKind.Inspect)
            {
                await ReadInspectFeedAsync(stream, cancellationToken);
                return;
            }

            var expose = header.Kind == StreamKind.Reverse ? Config.Exposes.FirstOrDefault(e => e.Name == header.Target) : null;
            if (expose is null)
            {
                stream.Reset();
                await stream.DisposeAsync();
                return;
            }

            var connect = await UpstreamDialer.ConnectAsync(expose.Local, expose.ConnectTimeout, cancellationToken);
            if (connect.Socket is null)
            {
                TunnelLog.AgentLocalFailed(_logger, expose.Name, expose.Local.ToString(), connect.Reason);
                stream.Reset();
                await stream.DisposeAsync();
                return;
            }

            var connection = new TunnelStreamConnection(connect.Socket, stream, socketIsClient: false, counter: null);
            await connection.RunAsync(Connections);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ControlProtocolException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            stream.Reset();
            await stream.DisposeAsync();
        }
    }

    /// <summary>The server's feed of captured HTTP exchanges, into the inspector; refused (reset) when this agent does not inspect.</summary>
    private async Task ReadInspectFeedAsync(MuxStream stream, CancellationToken cancellationToken)
    {
        if (InspectorStore is not { } store)
        {
            stream.Reset();
            await stream.DisposeAsync();
            return;
        }

        await using (stream)
        {
            while (await Inspection.InspectFrames.ReadAsync(stream, cancellationToken) is { } record)
            {
                store.Add(record);
            }
        }
    }
}
