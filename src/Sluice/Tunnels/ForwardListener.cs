using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Forwarding;
using Sluice.Multiplexing;
using Sluice.Protocols.Socks;
using Sluice.Protocols.Tunnels;
using Sluice.Transport;

namespace Sluice.Tunnels;

/// <summary>
/// One agent-side [[forward]] listener: each connection becomes a forward stream to the server,
/// whose destination is the fixed target or what the SOCKS5 client asked for. The server decides
/// (allow_forward) and dials; its answer becomes the SOCKS5 reply.
/// </summary>
internal sealed class ForwardListener : IConnectionHandler
{
    private static readonly TimeSpan NegotiationTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);

    private readonly TunnelAgent _agent;
    private readonly ForwardConfig _config;
    private readonly ILogger _logger;
    private readonly string _name;

    public ForwardListener(TunnelAgent agent, ForwardConfig config, ILogger logger)
    {
        _agent = agent;
        _config = config;
        _logger = logger;
        _name = config.Describe();
    }

    public void OnAccepted(Socket socket) => _ = HandleAsync(socket);

    private async Task HandleAsync(Socket client)
    {
        var remote = client.RemoteEndPoint as IPEndPoint;
        MuxStream? stream = null;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_agent.Stopping);
            deadline.CancelAfter(NegotiationTimeout + ReplyTimeout);
            Socks5Session? socks = null;
            string host;
            ushort port;
            if (_config.Socks5)
            {
                socks = new Socks5Session(client);
                using var negotiation = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                negotiation.CancelAfter(NegotiationTimeout);
                var (request, failure) = await socks.NegotiateAsync(_config.Username, _config.Password, negotiation.Token);
                if (request is null)
                {
                    TunnelLog.AgentSocksFailed(_logger, _name, remote, failure!);
                    client.Dispose();
                    return;
                }

                (host, port) = (request.Value.Host, request.Value.Port);
            }
            else
            {
                (host, port) = (_config.Target!.Value.Host, (ushort)_config.Target.Value.Port);
            }

            stream = await _agent.OpenStreamAsync(deadline.Token);
            if (stream is null)
            {
                TunnelLog.AgentNoSession(_logger, _name, remote);
                if (socks is not null)
                {
                    await socks.ReplyAsync(Socks5ReplyCode.GeneralFailure, deadline.Token);
                }

                client.Dispose();
                return;
            }

            await stream.WriteAsync(StreamHeader.Forward(host, port).ToArray(), deadline.Token);
            var reply = await StreamPreamble.ReadForwardReplyAsync(stream, deadline.Token);
            if (reply.Status != ForwardStatus.Ok)
            {
                TunnelLog.AgentForwardRefused(_logger, _name, $"{host}:{port}", reply.Reason);
                if (socks is not null)
                {
                    await socks.ReplyAsync(ToSocks(reply.Status), deadline.Token);
                }

                client.Dispose();
                await stream.DisposeAsync();
                return;
            }

            if (socks is not null)
            {
                await socks.ReplyAsync(Socks5ReplyCode.Succeeded, deadline.Token);
                if (!socks.Leftover.IsEmpty)
                {
                    await stream.WriteAsync(socks.Leftover, deadline.Token);
                }
            }

            var connection = new TunnelStreamConnection(client, stream, socketIsClient: true, counter: null);
            stream = null;
            await connection.RunAsync(_agent.Connections);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ControlProtocolException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            client.Dispose();
            if (stream is not null)
            {
                stream.Reset();
                await stream.DisposeAsync();
            }
        }
    }

    private static Socks5ReplyCode ToSocks(ForwardStatus status) => status switch
    {
        ForwardStatus.NotAllowed => Socks5ReplyCode.ConnectionNotAllowed,
        ForwardStatus.Refused => Socks5ReplyCode.ConnectionRefused,
        ForwardStatus.Unreachable => Socks5ReplyCode.NetworkUnreachable,
        ForwardStatus.DnsFailure => Socks5ReplyCode.HostUnreachable,
        ForwardStatus.Timeout => Socks5ReplyCode.TtlExpired,
        _ => Socks5ReplyCode.GeneralFailure,
    };
}
