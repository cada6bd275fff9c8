using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sluice.Protocols.Firehose;

namespace Sluice.Client;

/// <summary>
/// The master end of a firehose: listens for the gateway's connection (the gateway dials the
/// master and redials after a restart), receives every client's messages tagged with the
/// client's id, and sends messages to clients, broadcasts and kicks. Sends are batched: many
/// packets go to the gateway per write.
/// </summary>
public sealed class FirehoseMaster : IAsyncDisposable
{
    private const int OutboxHighWater = 1 << 20;

    private readonly Socket _listener;
    private readonly FrameOutbox _outbox = new(OutboxHighWater);
    private readonly Channel<FirehoseMasterEvent> _events;
    private readonly CancellationTokenSource _stopping = new();
    private readonly int _maxMessage;
    private readonly Task _acceptLoop;
    private FramedConnection? _gateway;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FirehoseMaster(Socket listener, int maxMessage, int eventQueue)
    {
        _listener = listener;
        _maxMessage = maxMessage;
        _events = Channel.CreateBounded<FirehoseMasterEvent>(new BoundedChannelOptions(eventQueue) { FullMode = BoundedChannelFullMode.Wait });
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The address the gateway's <c>master</c> setting must name (with port 0, the port chosen).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>True while a gateway is connected.</summary>
    public bool IsConnected => Volatile.Read(ref _gateway) is not null;

    /// <summary>Starts listening for the gateway on <paramref name="endPoint"/>.</summary>
    /// <param name="endPoint">Where to listen; port 0 picks a free port.</param>
    /// <param name="maxMessage">Largest packet accepted from the gateway. Default 16 MiB.</param>
    /// <param name="eventQueue">Events buffered before the master stops reading the gateway. Default 65,536.</param>
    public static FirehoseMaster Listen(IPEndPoint endPoint, int maxMessage = 16 << 20, int eventQueue = 65536)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(16);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new FirehoseMaster(socket, maxMessage, eventQueue);
    }

    /// <summary>Completes when a gateway is connected.</summary>
    public Task WaitForGatewayAsync(CancellationToken cancellationToken = default) => _connected.Task.WaitAsync(cancellationToken);

    /// <summary>The next event from the gateway.</summary>
    public ValueTask<FirehoseMasterEvent> ReceiveAsync(CancellationToken cancellationToken = default) => _events.Reader.ReadAsync(cancellationToken);

    /// <summary>Every event from the gateway until the master is disposed.</summary>
    public async IAsyncEnumerable<FirehoseMasterEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in _events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>Sends a message to one client (flag 0x00). An unknown id comes back as a Failure "Client not found".</summary>
    public ValueTask SendAsync(ulong clientId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        Post(clientId, TaggedFlags.Data, message.Span, cancellationToken);

    /// <summary>Disconnects a client for good (flag 0x02).</summary>
    public ValueTask KickAsync(ulong clientId, CancellationToken cancellationToken = default) =>
        Post(clientId, TaggedFlags.Kick, default, cancellationToken);

    /// <summary>
    /// One message to many clients (Sluice's flag 0x06; the gateway needs <c>master_events = true</c>).
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="clientIds">The recipients; null or empty for every connected client.</param>
    /// <param name="cancellationToken">Cancels a wait for buffer space.</param>
    public async ValueTask BroadcastAsync(ReadOnlyMemory<byte> message, IReadOnlyList<ulong>? clientIds = null, CancellationToken cancellationToken = default)
    {
        var ids = clientIds is null ? [] : clientIds.ToArray();
        var writer = _outbox.Enter();
        bool full;
        try
        {
            TaggedPacket.WriteBroadcast(writer, ids, message.Span);
        }
        finally
        {
            full = _outbox.Exit();
        }

        if (full)
        {
            await _outbox.WaitForSpaceAsync().WaitAsync(cancellationToken);
        }
    }

    private ValueTask Post(ulong clientId, TaggedFlags flags, ReadOnlySpan<byte> data, CancellationToken cancellationToken)
    {
        var writer = _outbox.Enter();
        bool full;
        try
        {
            TaggedPacket.Write(writer, clientId, flags, data);
        }
        finally
        {
            full = _outbox.Exit();
        }

        return full ? new ValueTask(_outbox.WaitForSpaceAsync().WaitAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync()
    {
        var serving = Task.CompletedTask;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            socket.NoDelay = true;
            var connection = new FramedConnection(socket);

            // One gateway at a time: a new connection (the gateway restarted) replaces the old,
            // and is served once the old one's loops have ended (the outbox has one sender).
            Interlocked.Exchange(ref _gateway, connection)?.Socket.Dispose();
            serving = ServeAsync(connection, serving);
        }
    }

    private async Task ServeAsync(FramedConnection connection, Task previous)
    {
        await previous;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        try
        {
            await _events.Writer.WriteAsync(new FirehoseMasterEvent(FirehoseEventKind.GatewayConnected, 0, default), stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            connection.Dispose();
            return;
        }

        _connected.TrySetResult();
        _outbox.ClearWake();
        var sending = SendLoopAsync(connection, stop.Token);
        await ReceiveLoopAsync(connection, stop.Token);
        stop.Cancel();
        _outbox.WakeSender();
        await sending;
        if (Interlocked.CompareExchange(ref _gateway, null, connection) == connection)
        {
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        connection.Dispose();
        _events.Writer.TryWrite(new FirehoseMasterEvent(FirehoseEventKind.GatewayDisconnected, 0, default));
    }

    private async Task SendLoopAsync(FramedConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var batch = await _outbox.TakeAsync();
                if (batch.IsEmpty)
                {
                    return;
                }

                await connection.Socket.SendAsync(batch, SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            connection.Socket.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(FramedConnection connection, CancellationToken cancellationToken)
    {
        var input = connection.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                FrameReadResult read;
                while ((read = Framing.TryReadFrame(ref buffer, _maxMessage, out var payload)) == FrameReadResult.Frame)
                {
                    if (!TaggedPacket.TryParse(payload, out var id, out var flags, out var data))
                    {
                        return;
                    }

                    var kind = flags switch
                    {
                        TaggedFlags.Data => FirehoseEventKind.Message,
                        TaggedFlags.Failure => FirehoseEventKind.Failure,
                        TaggedFlags.Reconnected => FirehoseEventKind.Resumed,
                        TaggedFlags.Connected => FirehoseEventKind.Connected,
                        TaggedFlags.Disconnected => FirehoseEventKind.Disconnected,
                        _ => (FirehoseEventKind)(-1),
                    };
                    if (kind < 0)
                    {
                        continue;
                    }

                    var item = new FirehoseMasterEvent(kind, id, data.ToArray());
                    if (!_events.Writer.TryWrite(item))
                    {
                        await _events.Writer.WriteAsync(item, cancellationToken);
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (read == FrameReadResult.TooLarge || result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Test hook: drops the gateway's connection as if the master restarted.</summary>
    internal void DropGateway() => Volatile.Read(ref _gateway)?.Socket.Dispose();

    /// <summary>Stops listening and closes the gateway's connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Dispose();
        Volatile.Read(ref _gateway)?.Socket.Dispose();
        _outbox.Complete();
        await _acceptLoop;
        _events.Writer.TryComplete();
    }
}
