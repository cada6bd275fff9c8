using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Forwarding.Epoll;
using Sluice.Protocols.Firehose;
using Sluice.Transport;

namespace Sluice.Firehose;

/// <summary>
/// The gateway's one connection to the master. It dials and, when the master is down or goes
/// away, dials again with backoff (100 ms doubling to 5 s) for as long as the firehose runs;
/// client traffic meanwhile waits in the bounded <see cref="Outbox"/>, and past its high water
/// the client readers stop. Sending takes the whole pending batch per call; receiving routes
/// each tagged packet to its session.
/// </summary>
internal sealed class MasterLink : IAsyncDisposable
{
    /// <summary>Batch size at which client readers wait: bounds memory, still hundreds of messages per send.</summary>
    public const int OutboxHighWater = 2 << 20;

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly FirehoseService _service;
    private readonly HostPort _address;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private volatile Socket? _socket;
    private volatile MasterPump? _pump;

    public MasterLink(FirehoseService service, HostPort address, ILogger logger)
    {
        _service = service;
        _address = address;
        _logger = logger;
    }

    public FrameOutbox Outbox { get; } = new(OutboxHighWater);

    public bool IsConnected => _socket is not null || _pump is not null;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var backoff = MinBackoff;
        var everConnected = false;
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            ConnectResult connect;
            // Not default: a default result's descriptor 0 would count as connected.
            var descriptor = new DescriptorConnectResult(-1, ConnectError.None, null, TimeSpan.Zero);
            try
            {
                if (_service.Loop is { } loop)
                {
                    // The epoll engine: a descriptor .NET's socket engine never sees, on the clients' loop.
                    descriptor = await DialOnLoopAsync(loop, token);
                    connect = new ConnectResult(null, descriptor.Error, descriptor.RemoteEndPoint, descriptor.Elapsed);
                }
                else
                {
                    connect = await UpstreamDialer.ConnectAsync(_address, ConnectTimeout, token);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (connect.Socket is null && !descriptor.Succeeded)
            {
                FirehoseLog.MasterUnreachable(_logger, _service.Name, _address.ToString(), connect.Reason, (long)backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }

            if (everConnected)
            {
                _service.Counters.MasterReconnected();
            }

            everConnected = true;
            backoff = MinBackoff;
            FirehoseLog.MasterConnected(_logger, _service.Name, connect.RemoteEndPoint!);
            var reason = connect.Socket is { } socket
                ? await ServeAsync(socket, token)
                : await ServeOnLoopAsync(_service.Loop!, descriptor, token);
            if (!token.IsCancellationRequested)
            {
                FirehoseLog.MasterLost(_logger, _service.Name, reason);
            }
        }
    }

    /// <summary>
    /// Dials the master on the loop. The epoll connect itself cannot be cancelled, so a stop does not
    /// wait for it (a master that drops SYNs would hold shutdown for the whole connect timeout):
    /// the wait ends at once and a descriptor the connect yields later is closed.
    /// </summary>
    private async Task<DescriptorConnectResult> DialOnLoopAsync(EpollLoop loop, CancellationToken token)
    {
        var dial = EpollDialer.ConnectAsync(_address, _address.Ip is { } ip ? new IPEndPoint(ip, _address.Port) : null, loop, ConnectTimeout, token).AsTask();
        try
        {
            return await dial.WaitAsync(token);
        }
        catch (OperationCanceledException)
        {
            _ = dial.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully && t.Result.Succeeded)
                    {
                        LibC.Close(t.Result.Fd);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }

    private async Task<string> ServeAsync(Socket socket, CancellationToken token)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token);
        try
        {
            if (_service.MasterEvents)
            {
                await AnnounceAsync(socket, linked.Token);
            }

            _socket = socket;
            Outbox.ClearWake();
            var sending = SendLoopAsync(socket, linked.Token);
            var receiving = ReceiveLoopAsync(socket, linked.Token);
            var first = await Task.WhenAny(sending, receiving);
            linked.Cancel();
            Outbox.WakeSender();
            socket.Dispose();
            var reason = await first;
            await Task.WhenAll(sending, receiving);
            return reason;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            return ex.Message;
        }
        finally
        {
            _socket = null;
            socket.Dispose();
        }
    }

    /// <summary>The epoll engine's link: a <see cref="MasterPump"/> on the clients' loop until the connection ends.</summary>
    private async Task<string> ServeOnLoopAsync(EpollLoop loop, DescriptorConnectResult connect, CancellationToken token)
    {
        var pump = new MasterPump(_service, loop, connect.Fd, connect.Watch, _service.MasterEvents ? Announcement() : default);
        _pump = pump;
        Outbox.ClearWake();
        try
        {
            using (token.UnsafeRegister(static p => ((MasterPump)p!).Stop(), pump))
            {
                return await pump.RunAsync();
            }
        }
        finally
        {
            _pump = null;
        }
    }

    /// <summary>With master_events on, a (re)connected master learns every connected client first.</summary>
    private async Task AnnounceAsync(Socket socket, CancellationToken token)
    {
        var announcement = Announcement();
        if (announcement.Length > 0)
        {
            await socket.SendAsync(announcement, SocketFlags.None, token);
        }
    }

    /// <summary>A connected event (0x04) for every live client.</summary>
    private byte[] Announcement()
    {
        var buffer = new PooledBufferWriter();
        try
        {
            foreach (var session in _service.Sessions.All)
            {
                if (session.State == SessionState.Live)
                {
                    WriteConnected(buffer, session.Id, session.Remote);
                }
            }

            return buffer.WrittenMemory.ToArray();
        }
        finally
        {
            buffer.Reset();
        }
    }

    private async Task<string> SendLoopAsync(Socket socket, CancellationToken token)
    {
        try
        {
            while (true)
            {
                var batch = await Outbox.TakeAsync();
                if (batch.IsEmpty)
                {
                    return token.IsCancellationRequested ? "stopped" : "firehose stopped";
                }

                await socket.SendAsync(batch, SocketFlags.None, token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            return ex is SocketException se ? $"send failed: {se.SocketErrorCode}" : "stopped";
        }
    }

    /// <summary>Routes the master's packets in arrival order (see <see cref="MasterInbox"/>).</summary>
    private async Task<string> ReceiveLoopAsync(Socket socket, CancellationToken token)
    {
        var inbox = new MasterInbox(_service);
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(inbox.Space(), SocketFlags.None, token);
                if (read == 0)
                {
                    return "master closed the connection";
                }

                if (inbox.Received(read) is { } error)
                {
                    return error;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            return ex is OperationCanceledException ? "stopped" : ex.Message;
        }
    }

    /// <summary>Queues a connected event (0x04) for the master.</summary>
    public void PostConnected(ulong clientId, IPEndPoint remote)
    {
        var writer = Outbox.Enter();
        try
        {
            WriteConnected(writer, clientId, remote);
        }
        finally
        {
            Outbox.Exit();
        }
    }

    /// <summary>A connected event's data is the client's remote address as UTF-8 text (docs/protocols/firehose.md, section 6).</summary>
    private static void WriteConnected(IBufferWriter<byte> writer, ulong clientId, IPEndPoint remote) =>
        TaggedPacket.Write(writer, clientId, TaggedFlags.Connected, Encoding.UTF8.GetBytes(remote.ToString()));

    /// <summary>Writes one tagged packet for the master, never waiting (failures and events are rare and small).</summary>
    public void Post(ulong clientId, TaggedFlags flags, ReadOnlySpan<byte> data)
    {
        var writer = Outbox.Enter();
        try
        {
            TaggedPacket.Write(writer, clientId, flags, data);
        }
        finally
        {
            Outbox.Exit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        Outbox.Complete();
        _socket?.Dispose();
        await _loop;
        _stopping.Dispose();
    }
}
