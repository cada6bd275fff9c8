using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Authentication;
using Sluice.Configuration;
using Sluice.Transport;

namespace Sluice.Tunnels;

/// <summary>Opens the agent's one connection to the server: TCP (+TLS), or a WebSocket (ws/wss) carrying binary messages.</summary>
internal static class AgentTransport
{
    public static async Task<(Stream Stream, string Kind)> ConnectAsync(AgentConfig config, ServerCertificateValidator validator, CancellationToken cancellationToken)
    {
        if (config.Server.Contains("://", StringComparison.Ordinal))
        {
            return (await ConnectWebSocketAsync(config, validator, cancellationToken), config.Server.StartsWith("wss", StringComparison.OrdinalIgnoreCase) ? "wss" : "ws");
        }

        HostPort.TryParse(config.Server, out var address, out _);
        var connect = await UpstreamDialer.ConnectAsync(address, config.ConnectTimeout, cancellationToken);
        if (connect.Socket is null)
        {
            throw new IOException($"cannot connect to {config.Server}: {connect.Reason}");
        }

        var network = new System.Net.Sockets.NetworkStream(connect.Socket, ownsSocket: true);
        if (!config.Tls)
        {
            return (network, "tcp");
        }

        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(config.ConnectTimeout);
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = address.Host,
                    RemoteCertificateValidationCallback = validator.Validate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CipherSuitesPolicy = TunnelCipherSuites.Policy,
                },
                timeout.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            await ssl.DisposeAsync();
            throw new IOException($"TLS with {config.Server} failed: {validator.LastFailure ?? ex.Message}", ex);
        }

        return (ssl, "tls");
    }

    private static async Task<Stream> ConnectWebSocketAsync(AgentConfig config, ServerCertificateValidator validator, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // the multiplexer pings
        if (config.Server.StartsWith("wss", StringComparison.OrdinalIgnoreCase))
        {
            socket.Options.RemoteCertificateValidationCallback = validator.Validate;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(config.ConnectTimeout);
            await socket.ConnectAsync(new Uri(config.Server), timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            socket.Dispose();
            throw new IOException($"WebSocket to {config.Server} failed: {validator.LastFailure ?? ex.Message}", ex);
        }

        return WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
    }
}
