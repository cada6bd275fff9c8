using System.Buffers;
using System.Net.Sockets;
using Sluice.Protocols.Socks;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

/// <summary>
/// The server side of one SOCKS5 negotiation on an accepted socket (RFC 1928, RFC 1929):
/// greeting, optional username/password, CONNECT request. Bounded: messages are at most
/// <see cref="Socks5Codec.MaxMessage"/> bytes and the whole negotiation has a deadline.
/// </summary>
internal sealed class Socks5Session
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[Socks5Codec.MaxMessage + 64];
    private int _start;
    private int _end;

    public Socks5Session(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>The request, or null after a refusal was already answered (the reason in <paramref name="failure"/>).</summary>
    public async ValueTask<(Socks5Request? Request, string? Failure)> NegotiateAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        var greeting = await ReadAsync<Socks5Greeting>(ParseGreeting, cancellationToken);
        if (greeting.Error is not null)
        {
            return (null, greeting.Error);
        }

        var method = username is null ? Socks5Method.NoAuthentication : Socks5Method.UsernamePassword;
        if (!greeting.Value.Offers(method))
        {
            await SendAsync(w => Socks5Codec.WriteMethodSelection(w, Socks5Method.NoAcceptable), cancellationToken);
            return (null, username is null ? "client offers no method without authentication" : "client does not offer username/password");
        }

        await SendAsync(w => Socks5Codec.WriteMethodSelection(w, method), cancellationToken);
        if (username is not null)
        {
            var credentials = await ReadAsync<Socks5Credentials>(ParseCredentials, cancellationToken);
            if (credentials.Error is not null)
            {
                return (null, credentials.Error);
            }

            var ok = FixedTimeEquals(credentials.Value.Username, username) & FixedTimeEquals(credentials.Value.Password, password!);
            await SendAsync(w => Socks5Codec.WriteAuthStatus(w, ok), cancellationToken);
            if (!ok)
            {
                return (null, "wrong username or password");
            }
        }

        var request = await ReadAsync<Socks5Request>(ParseRequest, cancellationToken);
        if (request.Error is not null)
        {
            if (request.Reply is { } code)
            {
                await ReplyAsync(code, cancellationToken);
            }

            return (null, request.Error);
        }

        if (request.Value.Command != Socks5Command.Connect)
        {
            await ReplyAsync(Socks5ReplyCode.CommandNotSupported, cancellationToken);
            return (null, $"command {request.Value.Command} is not supported (only CONNECT)");
        }

        return (request.Value, null);
    }

    /// <summary>Bytes the client sent after its request, before our reply (optimistic data); forwarded first.</summary>
    public ReadOnlyMemory<byte> Leftover => _buffer.AsMemory(_start, _end - _start);

    public ValueTask ReplyAsync(Socks5ReplyCode code, CancellationToken cancellationToken) =>
        SendAsync(w => Socks5Codec.WriteReply(w, code), cancellationToken);

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    private async ValueTask SendAsync(Action<ArrayBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        var writer = new ArrayBufferWriter<byte>(32);
        write(writer);
        await _socket.SendAsync(writer.WrittenMemory, SocketFlags.None, cancellationToken);
    }

    private async ValueTask<Parsed<T>> ReadAsync<T>(Parser<T> parse, CancellationToken cancellationToken)
    {
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            var status = parse(sequence, out var value, out var consumed, out var reply, out var error);
            if (status == ParseStatus.Done)
            {
                _start += (int)sequence.Slice(0, consumed).Length;
                return new Parsed<T>(value, null, null);
            }

            if (status == ParseStatus.Invalid)
            {
                return new Parsed<T>(value, error ?? "malformed SOCKS5 message", reply);
            }

            if (_end == _buffer.Length)
            {
                if (_start == 0)
                {
                    return new Parsed<T>(value, "SOCKS5 message exceeds its size cap", null);
                }

                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return new Parsed<T>(value, "client closed during SOCKS5 negotiation", null);
            }

            _end += read;
        }
    }

    private static ParseStatus ParseGreeting(ReadOnlySequence<byte> s, out Socks5Greeting v, out SequencePosition c, out Socks5ReplyCode? r, out string? e)
    {
        r = null;
        return Socks5Codec.TryReadGreeting(s, out v, out c, out e);
    }

    private static ParseStatus ParseCredentials(ReadOnlySequence<byte> s, out Socks5Credentials v, out SequencePosition c, out Socks5ReplyCode? r, out string? e)
    {
        r = null;
        return Socks5Codec.TryReadCredentials(s, out v, out c, out e);
    }

    private static ParseStatus ParseRequest(ReadOnlySequence<byte> s, out Socks5Request v, out SequencePosition c, out Socks5ReplyCode? r, out string? e)
    {
        var status = Socks5Codec.TryReadRequest(s, out v, out c, out var reply, out e);
        r = status == ParseStatus.Invalid ? reply : null;
        return status;
    }

    private delegate ParseStatus Parser<T>(ReadOnlySequence<byte> buffer, out T value, out SequencePosition consumed, out Socks5ReplyCode? reply, out string? error);

    private readonly record struct Parsed<T>(T Value, string? Error, Socks5ReplyCode? Reply);
}
