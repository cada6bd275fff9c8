using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.Protocols.Firehose;

namespace Sluice.Client;

/// <summary>Resuming after a drop (docs/protocols/firehose.md, "Resume").</summary>
public sealed partial class FirehoseClient
{
    private async Task<FramedConnection> ResumeOnceAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var connection = await FramedConnection.ConnectAsync(_gateway, timeout.Token);
        try
        {
            await connection.SendPacketAsync(HandshakePacket.Version(HandshakePacket.ProtocolVersion2), timeout.Token);
            var key = await Expect(connection, HandshakePacketKind.PubKey, timeout.Token);
            if (!key.Bytes.Span.SequenceEqual(_gatewayKey))
            {
                // Another gateway (or a restarted one without key_file): it cannot know this session.
                throw new GatewayKeyChangedException();
            }

            await connection.SendPacketAsync(HandshakePacket.ClientId(ClientId), timeout.Token);
            var challenge = await Expect(connection, HandshakePacketKind.Challenge, timeout.Token);
            var plain = ChallengeCipher.Open(_sessionKey, challenge.Bytes.Span) ?? throw new GatewayKeyChangedException();
            await connection.SendPacketAsync(HandshakePacket.ChallengeResponse(ChallengeCipher.Seal(_sessionKey, plain)), timeout.Token);
            await connection.SendPacketAsync(HandshakePacket.Ping(), timeout.Token);
            await Expect(connection, HandshakePacketKind.Ping, timeout.Token);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task ResumeLoopAsync(FramedConnection dropped)
    {
        _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _connection, null);
        dropped.Dispose();
        var deadline = DateTime.UtcNow + _options.ResumeTimeout;
        var backoff = _options.InitialResumeBackoff;
        Exception? last = null;
        while (!_disposed.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            try
            {
                var connection = await ResumeOnceAsync(_disposed.Token);
                Interlocked.Increment(ref _resumes);
                Attach(connection);
                return;
            }
            catch (GatewayKeyChangedException ex)
            {
                last = ex;
                break;
            }
            catch (Exception ex) when (ex is FirehoseException or SocketException or IOException or OperationCanceledException or CryptographicException)
            {
                last = ex;
            }

            try
            {
                await Task.Delay(backoff, _disposed.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxResumeBackoff.Ticks));
        }

        var error = new FirehoseException($"could not resume firehose session {ClientId}: {last?.Message ?? "disposed"}", last ?? new OperationCanceledException());
        _received.Writer.TryComplete(error);
        _ready.TrySetException(error);
    }
}
