using System.Net.Security;
using System.Security.Authentication;
using Sluice.Multiplexing;
using Sluice.Transport;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

internal sealed partial class TunnelServer
{
    /// <summary>Agent connections allowed between accept and a finished handshake at once.</summary>
    public const int MaxPendingHandshakes = 256;

    private int _handshakes;

    /// <summary>
    /// One agent connection from first byte to last: TLS (for raw TCP), the multiplexer, the control
    /// handshake (hello → challenge → proof → welcome → register) within handshake_timeout, then
    /// the session. A connection that fails any step is closed with a logged reason and counted;
    /// nothing it does reaches another agent.
    /// </summary>
    public async Task ServeAgentAsync(Stream transport, string remote, string transportName, bool tls)
    {
        MuxSession? mux = null;
        AgentSession? session = null;
        ControlChannel? control = null;
        if (Interlocked.Increment(ref _handshakes) > MaxPendingHandshakes)
        {
            // Unauthenticated connections each hold a multiplexer until their deadline; a flood
            // of them is cut here instead of growing without bound.
            Interlocked.Decrement(ref _handshakes);
            Refuse(remote, "overloaded", $"more than {MaxPendingHandshakes} handshakes in progress");
            await transport.DisposeAsync();
            return;
        }

        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            deadline.CancelAfter(_config.HandshakeTimeout);
            var stream = transport;
            if (tls)
            {
                var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
                stream = ssl;
                try
                {
                    await ssl.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions
                        {
                            ServerCertificate = Certificate,
                            ClientCertificateRequired = false,
                            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                            CipherSuitesPolicy = TunnelCipherSuites.Policy,
                        },
                        deadline.Token);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException)
                {
                    Refuse(remote, "tls", $"TLS handshake failed: {ex.Message}");
                    await ssl.DisposeAsync();
                    return;
                }

                transportName = $"{transportName} {ssl.SslProtocol} {ssl.NegotiatedCipherSuite}";
            }

            mux = MuxSession.Start(stream, isClient: false, MuxOptions, MuxLogger);
            var controlStream = await mux.AcceptStreamAsync(deadline.Token);
            if (controlStream is null)
            {
                Refuse(remote, "bad_protocol", $"closed before opening the control stream ({mux.CloseReason ?? "no reason"})");
                return;
            }

            control = new ControlChannel(controlStream);
            session = await HandshakeAsync(mux, control, remote, transportName, deadline.Token);
            if (session is null)
            {
                return;
            }
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            Refuse(remote, "timeout", $"no complete handshake within {_config.HandshakeTimeout.TotalSeconds} s");
            if (control is not null)
            {
                await control.TrySendErrorAsync(ControlErrorCode.Timeout, "handshake timeout");
            }
        }
        catch (ControlProtocolException ex)
        {
            Refuse(remote, "bad_protocol", ex.Message);
            if (control is not null)
            {
                await control.TrySendErrorAsync(ControlErrorCode.ProtocolError, ex.Message);
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or ControlErrorException)
        {
            Refuse(remote, "closed", $"connection ended during the handshake ({ex.Message})");
        }
        catch (Exception ex)
        {
            TunnelLog.ServerUnexpected(Logger, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _handshakes);
            if (session is null)
            {
                if (mux is not null)
                {
                    await mux.DisposeAsync();
                }
                else
                {
                    await transport.DisposeAsync();
                }
            }
        }

        if (session is not null)
        {
            try
            {
                await session.RunAsync();
            }
            catch (Exception ex)
            {
                TunnelLog.ServerUnexpected(Logger, ex);
            }
            finally
            {
                await Detach(session);
            }
        }
    }

    private async Task<AgentSession?> HandshakeAsync(MuxSession mux, ControlChannel control, string remote, string transportName, CancellationToken cancellationToken)
    {
        var hello = await control.ReadExpectedAsync<HelloMessage>(cancellationToken);
        if (hello.Version < TunnelProtocol.MinVersion)
        {
            Refuse(remote, "bad_protocol", $"agent speaks protocol v{hello.Version}; this server needs v{TunnelProtocol.MinVersion} or later");
            await control.TrySendErrorAsync(ControlErrorCode.UnsupportedVersion, $"unsupported protocol version {hello.Version}");
            return null;
        }

        var version = Math.Min(hello.Version, TunnelProtocol.Version);
        var nonce = TunnelAuth.NewNonce();
        await control.WriteAsync(new ChallengeMessage((ushort)version, nonce), cancellationToken);
        var proof = await control.ReadExpectedAsync<AuthProofMessage>(cancellationToken);
        var key = AgentKey(hello.AgentName);
        if (!TunnelAuth.Verify(key, nonce, hello.AgentName, (ushort)version, proof.Proof))
        {
            // The agent learns only "authentication failed"; the operator's log says which part.
            Refuse(remote, "bad_credentials", key is null ? $"unknown agent name \"{WireStrings.Truncate(hello.AgentName)}\"" : $"wrong token for agent \"{hello.AgentName}\"");
            await control.TrySendErrorAsync(ControlErrorCode.AuthenticationFailed, "authentication failed");
            return null;
        }

        await control.WriteAsync(new WelcomeMessage((uint)_config.HeartbeatInterval.TotalMilliseconds), cancellationToken);
        var register = await control.ReadExpectedAsync<RegisterMessage>(cancellationToken);
        var session = new AgentSession(this, hello.AgentName, mux, control) { Version = version };
        await Attach(session);
        TunnelLog.AgentConnected(Logger, session.Agent, remote, transportName, version);
        try
        {
            var results = Register(session, register.Tunnels);
            await control.WriteAsync(new RegisterResultMessage(results), cancellationToken);
        }
        catch
        {
            // Attached but never served: give back the agent's name and ports at once.
            await Detach(session);
            throw;
        }

        return session;
    }

    private void Refuse(string remote, string reason, string detail)
    {
        Metrics.AuthFailure(reason);
        TunnelLog.AgentRefused(Logger, remote, detail);
    }
}
