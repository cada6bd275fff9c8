using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Forwarding.Epoll;

namespace Sluice.Transport;

/// <summary>
/// One listening socket and its accept loop. The loop survives everything the kernel can say:
/// out of file descriptors (EMFILE/ENFILE) or buffers backs off and retries instead of spinning
/// or dying; an aborted handshake is skipped.
/// </summary>
public sealed partial class TcpListenerLoop : IAsyncDisposable
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private Task? _loop;
    private EpollAcceptor[]? _acceptors;
    private volatile IConnectionHandler _handler;
    private volatile bool _closed;

    private TcpListenerLoop(Socket socket, IConnectionHandler handler, ILogger logger, string owner)
    {
        _socket = socket;
        _handler = handler;
        _logger = logger;
        Owner = owner;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The bound address: with port 0 in the config, the port the kernel chose.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The route or server that owns this listener, by name.</summary>
    public string Owner { get; }

    /// <summary>Swapped on reload so new connections see the new route while the socket stays bound.</summary>
    public IConnectionHandler Handler
    {
        get => _handler;
        set => _handler = value;
    }

    /// <summary>Binds and listens; throws a SocketException naming the address when it cannot.</summary>
    public static TcpListenerLoop Bind(HostPort address, IConnectionHandler handler, ILogger logger, string owner, int backlog = 4096)
    {
        var ip = address.Ip ?? (address.Host == "localhost" ? IPAddress.Loopback : throw new ArgumentException($"listen address {address} is not an IP literal"));
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SO_REUSEADDR alone lets a restarted sluice bind while old connections sit in
            // TIME_WAIT. Not SocketOptionName.ReuseAddress: on Linux .NET maps that to
            // SO_REUSEPORT as well, and then a second process binds the same port without an
            // error and silently takes half the connections.
            if (!OperatingSystem.IsWindows())
            {
                socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            }
            if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(new IPEndPoint(ip, address.Port));
            socket.Listen(backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new TcpListenerLoop(socket, handler, logger, owner) ;
    }

    /// <summary>
    /// Starts accepting: on the epoll loops themselves when the handler takes descriptors (the
    /// proxy on the epoll engine), else with .NET's AcceptAsync.
    /// </summary>
    public void Start()
    {
        if (_loop is not null || _acceptors is not null)
        {
            return;
        }

        if (EpollLoopGroup.IsEnabled && _handler is IDescriptorConnectionHandler)
        {
            // accept4 on the loops must return EAGAIN, never block a loop.
            _socket.Blocking = false;

            // Accepted sockets inherit TCP_NODELAY from the listener: one setsockopt, not one each.
            _socket.NoDelay = true;
            var fd = (int)_socket.Handle;
            _acceptors = [.. EpollLoopGroup.Shared.Loops.Select(loop => new EpollAcceptor(loop, fd, () => _handler, _logger, Owner, LocalEndPoint))];
            foreach (var acceptor in _acceptors)
            {
                acceptor.Start();
            }

            return;
        }

        _loop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        var backoff = MinBackoff;
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync();
                backoff = MinBackoff;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted && _closed)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue;
            }
            catch (SocketException ex)
            {
                // EMFILE/ENFILE/ENOBUFS: the pending connection stays in the backlog; retrying at
                // once would spin. Back off (doubling, capped) and keep serving the others.
                LogAcceptFailed(_logger, Owner, LocalEndPoint, ex.SocketErrorCode, (int)backoff.TotalMilliseconds);
                await Task.Delay(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }

            try
            {
                client.NoDelay = true;
                _handler.OnAccepted(client);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, Owner, ex);
                client.Dispose();
            }
        }
    }

    /// <summary>Stops accepting; connections already accepted are not touched.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        if (_acceptors is not null)
        {
            // The loops must be done with the descriptor before it is closed (and maybe reused).
            await Task.WhenAll(_acceptors.Select(a => a.StopAsync()));
        }

        _socket.Dispose();
        if (_loop is not null)
        {
            await _loop;
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{Owner}: accept on {Endpoint} failed with {Error}; retrying in {BackoffMs} ms")]
    private static partial void LogAcceptFailed(ILogger logger, string owner, IPEndPoint endpoint, SocketError error, int backoffMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "{Owner}: connection handler threw; connection closed")]
    private static partial void LogHandlerFailed(ILogger logger, string owner, Exception exception);
}
