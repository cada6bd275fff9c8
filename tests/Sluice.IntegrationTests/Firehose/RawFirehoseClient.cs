using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sluice.Protocols.Firehose;

namespace Sluice.IntegrationTests.Firehose;

/// <summary>
/// A client written straight from the protocol's codecs, step by step, so tests can stop, lie
/// or misbehave at any point of the handshake.
/// </summary>
internal sealed class RawFirehoseClient : IDisposable
{
    private readonly Socket _socket;

    private RawFirehoseClient(Socket socket)
    {
        _socket = socket;
    }

    public Socket Socket => _socket;

    public ulong ClientId { get; private set; }

    public byte[] GatewayKey { get; private set; } = [];

    public byte[] SessionKey { get; private set; } = [];

    public static async Task<RawFirehoseClient> OpenAsync(IPEndPoint gateway, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(gateway);
        return new RawFirehoseClient(socket);
    }

    /// <summary>A new session: version, keys, id.</summary>
    public static async Task<RawFirehoseClient> ConnectNewAsync(IPEndPoint gateway)
    {
        var client = await OpenAsync(gateway);
        using var keys = FirehoseKeyPair.Create();
        await client.SendAsync(HandshakePacket.Version(2));
        client.GatewayKey = (await client.ExpectAsync(HandshakePacketKind.PubKey)).Bytes.ToArray();
        client.SessionKey = keys.DeriveSessionKey(client.GatewayKey)!;
        await client.SendAsync(HandshakePacket.PubKey(keys.PublicKey));
        client.ClientId = (await client.ExpectAsync(HandshakePacketKind.ClientId)).Number;
        return client;
    }

    /// <summary>
    /// Resumes <paramref name="id"/>, answering the challenge with <paramref name="sessionKey"/>
    /// (a wrong key gives a wrong answer). True when the gateway completes the Ping exchange.
    /// </summary>
    public static async Task<(bool Resumed, RawFirehoseClient Client)> ResumeAsync(IPEndPoint gateway, ulong id, byte[] sessionKey)
    {
        var client = await OpenAsync(gateway);
        client.ClientId = id;
        client.SessionKey = sessionKey;
        await client.SendAsync(HandshakePacket.Version(2));
        client.GatewayKey = (await client.ExpectAsync(HandshakePacketKind.PubKey)).Bytes.ToArray();
        await client.SendAsync(HandshakePacket.ClientId(id));
        var challenge = await client.ReadPacketAsync();
        if (challenge?.Kind != HandshakePacketKind.Challenge)
        {
            return (false, client);
        }

        var plain = ChallengeCipher.Open(sessionKey, challenge.Value.Bytes.Span) ?? new byte[ChallengeCipher.ChallengeLength];
        await client.SendAsync(HandshakePacket.ChallengeResponse(ChallengeCipher.Seal(sessionKey, plain)));
        await client.SendAsync(HandshakePacket.Ping());
        var ping = await client.ReadPacketAsync();
        return (ping?.Kind == HandshakePacketKind.Ping, client);
    }

    public Task SendAsync(HandshakePacket packet) => SendRawAsync(packet.ToFrame());

    public async Task SendRawAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    public Task SendMessageAsync(ReadOnlySpan<byte> message)
    {
        var frame = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)message.Length);
        message.CopyTo(frame.AsSpan(4));
        return SendRawAsync(frame);
    }

    /// <summary>The next frame's payload, or null at EOF/reset.</summary>
    public async Task<byte[]?> ReadFrameAsync()
    {
        var header = new byte[4];
        if (!await ReadExactlyAsync(header))
        {
            return null;
        }

        var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header)];
        return await ReadExactlyAsync(payload) ? payload : null;
    }

    public async Task<HandshakePacket?> ReadPacketAsync()
    {
        var payload = await ReadFrameAsync();
        return payload is not null && HandshakePacket.TryParse(payload, out var packet, out _) ? packet : null;
    }

    private async Task<HandshakePacket> ExpectAsync(HandshakePacketKind kind)
    {
        var packet = await ReadPacketAsync();
        Assert.True(packet?.Kind == kind, $"expected {kind}, got {packet?.Kind.ToString() ?? "EOF"}");
        return packet!.Value;
    }

    /// <summary>True when the gateway closes the connection (EOF or reset) within <paramref name="timeout"/>.</summary>
    public async Task<bool> ClosedByPeerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                if (await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer)
    {
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }
        }
        catch (SocketException)
        {
            return false;
        }

        return true;
    }

    public void Dispose() => _socket.Dispose();
}
