using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Sluice.Protocols.Firehose;

namespace Sluice.Client;

/// <summary>
/// A client of a Sluice firehose (or any Voltlane v2 gateway). It connects, gets a client id,
/// then sends and receives messages. When the connection drops it resumes the session on its
/// own (with backoff, for up to <see cref="FirehoseClientOptions.ResumeTimeout"/>): it checks
/// the gateway still has the same public key, answers the gateway's encrypted challenge, and
/// then receives the messages the gateway buffered meanwhile, before any new ones.
/// </summary>
/// <remarks>
/// Sends wait while a resume is in progress. Messages already handed to a connection that then
/// dropped may be lost in either direction: the protocol has no acknowledgements.
/// </remarks>
public sealed partial class FirehoseClient : IAsyncDisposable
{
    private readonly EndPoint _gateway;
    private readonly FirehoseClientOptions _options;
    private readonly FirehoseKeyPair _keys;
    private readonly Channel<byte[]> _received;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private byte[] _sessionKey = [];
    private byte[] _gatewayKey = [];
    private FramedConnection? _connection;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiveLoop = Task.CompletedTask;
    private long _resumes;

    private FirehoseClient(EndPoint gateway, FirehoseClientOptions options)
    {
        _gateway = gateway;
        _options = options;
        _keys = FirehoseKeyPair.Create();
        _received = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.ReceiveQueue) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The id the gateway gave this client; it stays the same across resumes.</summary>
    public ulong ClientId { get; private set; }

    /// <summary>The gateway's 33-byte compressed public key, as seen on the first connection.</summary>
    public ReadOnlyMemory<byte> GatewayKey => _gatewayKey;

    /// <summary>How many times the session has been resumed after a drop.</summary>
    public long Resumes => Interlocked.Read(ref _resumes);

    /// <summary>Connects to the gateway and runs the new-session handshake.</summary>
    /// <param name="gateway">The firehose listener's address.</param>
    /// <param name="options">Timeouts and limits; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <exception cref="FirehoseException">The handshake failed.</exception>
    /// <exception cref="SocketException">The gateway cannot be reached.</exception>
    public static async Task<FirehoseClient> ConnectAsync(EndPoint gateway, FirehoseClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var client = new FirehoseClient(gateway, options ?? new FirehoseClientOptions());
        try
        {
            await client.ConnectNewAsync(cancellationToken);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    private async Task ConnectNewAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var connection = await FramedConnection.ConnectAsync(_gateway, timeout.Token);
        try
        {
            await connection.SendPacketAsync(HandshakePacket.Version(HandshakePacket.ProtocolVersion2), timeout.Token);
            var key = await Expect(connection, HandshakePacketKind.PubKey, timeout.Token);
            _gatewayKey = key.Bytes.ToArray();
            _sessionKey = _keys.DeriveSessionKey(_gatewayKey) ?? throw new FirehoseException("the gateway's public key is not a secp256k1 point");
            await connection.SendPacketAsync(HandshakePacket.PubKey(_keys.PublicKey), timeout.Token);
            var id = await Expect(connection, HandshakePacketKind.ClientId, timeout.Token);
            ClientId = id.Number;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            connection.Dispose();
            throw new FirehoseException("no handshake within the connect timeout");
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Attach(connection);
    }

    private static async Task<HandshakePacket> Expect(FramedConnection connection, HandshakePacketKind kind, CancellationToken cancellationToken)
    {
        var packet = await connection.ReadPacketAsync(cancellationToken);
        return packet.Kind == kind ? packet : throw new FirehoseException($"expected {kind} from the gateway, got {packet.Kind}");
    }

    private void Attach(FramedConnection connection)
    {
        Volatile.Write(ref _connection, connection);
        _receiveLoop = ReceiveLoopAsync(connection);
        _ready.TrySetResult();
    }

    /// <summary>Sends one message. Waits while the session is resuming.</summary>
    /// <param name="message">The message; the gateway passes it to the master verbatim.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="FirehoseException">The session has ended.</exception>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var frame = ArrayPool<byte>.Shared.Rent(Framing.HeaderSize + message.Length);
        try
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)message.Length);
            message.Span.CopyTo(frame.AsSpan(Framing.HeaderSize));
            while (true)
            {
                await _ready.Task.WaitAsync(cancellationToken);
                var connection = Volatile.Read(ref _connection);
                if (connection is null)
                {
                    continue;
                }

                await _sendLock.WaitAsync(cancellationToken);
                try
                {
                    await connection.Socket.SendAsync(frame.AsMemory(0, Framing.HeaderSize + message.Length), SocketFlags.None, cancellationToken);
                    return;
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // The receive loop notices the drop too and resumes; send again after that.
                    connection.Socket.Dispose();
                    await Task.Yield();
                }
                finally
                {
                    _sendLock.Release();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Receives the next message from the master.</summary>
    /// <exception cref="FirehoseException">The session has ended (could not resume, or disposed).</exception>
    public async ValueTask<byte[]> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _received.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            throw ex.InnerException as FirehoseException ?? new FirehoseException("the firehose session has ended", ex);
        }
    }

    /// <summary>Every message from the master until the session ends.</summary>
    public async IAsyncEnumerable<byte[]> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in _received.Reader.ReadAllAsync(cancellationToken))
        {
            yield return message;
        }
    }

    /// <summary>Test hook: drops the connection as a network failure would, so the client resumes.</summary>
    internal void DropConnection()
    {
        var connection = Volatile.Read(ref _connection);
        if (connection is not null)
        {
            connection.Socket.LingerState = new LingerOption(true, 0);
            connection.Socket.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(FramedConnection connection)
    {
        await Task.Yield();
        var input = connection.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_disposed.Token);
                var buffer = result.Buffer;
                FrameReadResult read;
                while ((read = Framing.TryReadFrame(ref buffer, _options.MaxMessage, out var payload)) == FrameReadResult.Frame)
                {
                    var message = payload.ToArray();
                    if (!_received.Writer.TryWrite(message))
                    {
                        await _received.Writer.WriteAsync(message, _disposed.Token);
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (read == FrameReadResult.TooLarge || result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        catch (InvalidOperationException) when (_disposed.IsCancellationRequested)
        {
            // DisposeAsync completed the reader before this loop's first (or next) read.
        }

        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _ = ResumeLoopAsync(connection);
    }

    /// <summary>Closes the connection; the session stays on the gateway until its stale_timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        Volatile.Read(ref _connection)?.Dispose();
        _received.Writer.TryComplete(new FirehoseException("the client was disposed"));
        _ready.TrySetException(new FirehoseException("the client was disposed"));
        await _receiveLoop;
        _keys.Dispose();
    }

    private sealed class GatewayKeyChangedException() : Exception("the gateway's public key changed: it is not the gateway this session was made with");
}
