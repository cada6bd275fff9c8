using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.Forwarding.Epoll;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

internal sealed partial class FirehoseConnection
{
    /// <summary>
    /// docs/protocols/firehose.md, "Handshake": ProtocolVersion(2) → PubKey(gateway) → then
    /// PubKey(client) → ClientId(new id), or ClientId(old id) → Challenge → ChallengeResponse →
    /// Ping → Ping. The whole exchange runs under handshake_timeout.
    /// </summary>
    private async Task<FirehoseSession> HandshakeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        timeout.CancelAfter(_service.HandshakeTimeout);
        var token = timeout.Token;

        var version = await ReadPacketAsync(token);
        if (version.Kind != HandshakePacketKind.ProtocolVersion)
        {
            throw new HandshakeException(CloseReasons.Malformed, $"expected ProtocolVersion, got {version.Kind}");
        }

        if (version.Number != HandshakePacket.ProtocolVersion2)
        {
            throw new HandshakeException(CloseReasons.BadVersion, $"protocol version {version.Number}, expected 2");
        }

        await SendPacketAsync(HandshakePacket.PubKey(_service.Key.PublicKey), token);
        var next = await ReadPacketAsync(token);
        switch (next.Kind)
        {
            case HandshakePacketKind.PubKey:
                var sessionKey = _service.Key.DeriveSessionKey(next.Bytes.Span)
                    ?? throw new HandshakeException(CloseReasons.BadKey, "the client's public key is not a secp256k1 point");
                var session = _service.Sessions.Create(sessionKey, Remote);
                session.TryAttach(this);
                try
                {
                    await SendPacketAsync(HandshakePacket.ClientId(session.Id), token);
                }
                catch
                {
                    _service.Abandon(session);
                    throw;
                }

                _service.Connected(this, session, resumed: false);
                return session;

            case HandshakePacketKind.ClientId:
                return await ResumeAsync(next.Number, token);

            default:
                throw new HandshakeException(CloseReasons.Malformed, $"expected PubKey or ClientId, got {next.Kind}");
        }
    }

    private async Task<FirehoseSession> ResumeAsync(ulong id, CancellationToken token)
    {
        if (!_service.Sessions.TryGet(id, out var session) || !session.TryClaim())
        {
            throw new HandshakeException(CloseReasons.UnknownId, $"no stale session {id}");
        }

        try
        {
            var challenge = ChallengeCipher.NewChallenge();
            await SendPacketAsync(HandshakePacket.Challenge(ChallengeCipher.Seal(session.SessionKey, challenge)), token);
            var response = await ReadPacketAsync(token);
            if (response.Kind != HandshakePacketKind.ChallengeResponse)
            {
                throw new HandshakeException(CloseReasons.Malformed, $"expected ChallengeResponse, got {response.Kind}");
            }

            var opened = ChallengeCipher.Open(session.SessionKey, response.Bytes.Span);
            if (opened is null || !CryptographicOperations.FixedTimeEquals(opened, challenge))
            {
                throw new HandshakeException(CloseReasons.ChallengeFailed, $"challenge response for session {id} does not match");
            }

            var ping = await ReadPacketAsync(token);
            if (ping.Kind != HandshakePacketKind.Ping)
            {
                throw new HandshakeException(CloseReasons.Malformed, $"expected Ping, got {ping.Kind}");
            }

            await SendPacketAsync(HandshakePacket.Ping(), token);
        }
        catch
        {
            // The stale session stays exactly as it was: same key, queue and stale time.
            _service.Sessions.ResumeFailed(session);
            throw;
        }

        if (!session.TryAttach(this))
        {
            throw new HandshakeException(CloseReasons.UnknownId, $"session {id} ended during its resume");
        }

        _service.Connected(this, session, resumed: true);
        return session;
    }

    private async ValueTask<HandshakePacket> ReadPacketAsync(CancellationToken token)
    {
        while (true)
        {
            var read = HandshakePacket.TryReadFrame(Received, out var packet, out var consumed, out var error);
            if (read == FrameReadResult.TooLarge)
            {
                throw new HandshakeException(CloseReasons.Malformed, $"handshake frame longer than {HandshakePacket.MaxFrameLength} bytes");
            }

            if (read == FrameReadResult.Frame)
            {
                Consume(consumed);
                return error is null ? packet : throw new HandshakeException(CloseReasons.Malformed, error);
            }

            var received = await ReceiveHandshakeAsync(token);
            if (received == 0)
            {
                throw Received.IsEmpty ? new HandshakeException(CloseReasons.Eof, "closed during handshake") : new HandshakeException(CloseReasons.Truncated, "truncated handshake frame");
            }

            _end += received;
        }
    }

    private async ValueTask<int> ReceiveHandshakeAsync(CancellationToken token)
    {
        var frameSize = Framing.HeaderSize + HandshakePacket.MaxFrameLength;
        if (_loop is null)
        {
            if (_receive is null)
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, token);
            }

            return await _socket.ReceiveAsync(ReceiveSpace(frameSize), SocketFlags.None, token);
        }

        // The epoll engine: the descriptor stays out of .NET's socket engine (see FirehoseConnection.Epoll.cs).
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var read = ReceiveNow(frameSize);
            if (read >= 0)
            {
                return read;
            }

            await WaitAsync(LibC.EpollIn, token);
        }
    }

    private async ValueTask SendPacketAsync(HandshakePacket packet, CancellationToken token)
    {
        var frame = packet.ToFrame();
        if (_loop is null)
        {
            await _socket.SendAsync(frame, SocketFlags.None, token);
            return;
        }

        var offset = 0;
        while (true)
        {
            offset += SendSome(frame.AsSpan(offset)) is var sent and >= 0 ? sent : throw new IOException("send failed during handshake");
            if (offset == frame.Length)
            {
                return;
            }

            await WaitAsync(LibC.EpollOut, token);
        }
    }

    /// <summary>Handshake only: completes when the descriptor is ready for <paramref name="events"/>.</summary>
    private async ValueTask WaitAsync(uint events, CancellationToken token)
    {
        var wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waitEvents = events;
        Volatile.Write(ref _wait, wait);
        _loop!.Post(this);
        await using (token.UnsafeRegister(static s => ((TaskCompletionSource)s!).TrySetCanceled(), wait))
        {
            await wait.Task;
        }
    }

    /// <summary>
    /// One non-blocking receive: the byte count (0 at EOF), or -1 when nothing has arrived. While
    /// no buffer is held it first peeks, so a client that has sent nothing yet costs none.
    /// </summary>
    private unsafe int ReceiveNow(int frameSize)
    {
        while (true)
        {
            nint read;
            if (_receive is null)
            {
                byte peek;
                read = LibC.Recv(_fd, &peek, 1, LibC.MsgDontWait | LibC.MsgPeek);
                if (read > 0)
                {
                    var space = ReceiveSpace(frameSize).Span;
                    fixed (byte* into = space)
                    {
                        read = LibC.Recv(_fd, into, space.Length, LibC.MsgDontWait);
                    }
                }
            }
            else
            {
                var space = ReceiveSpace(frameSize).Span;
                fixed (byte* into = space)
                {
                    read = LibC.Recv(_fd, into, space.Length, LibC.MsgDontWait);
                }
            }

            if (read >= 0)
            {
                return (int)read;
            }

            var errno = LibC.LastError;
            if (errno == LibC.EAgain)
            {
                return -1;
            }

            if (errno != LibC.EIntr)
            {
                throw new IOException($"receive failed during handshake: errno {errno}");
            }
        }
    }
}
