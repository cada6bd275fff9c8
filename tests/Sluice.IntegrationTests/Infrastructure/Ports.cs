using System.Net;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Infrastructure;

public static class Ports
{
    /// <summary>A loopback port with nothing listening: connects to it are refused.</summary>
    public static string RefusingAddress()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return $"127.0.0.1:{((IPEndPoint)probe.LocalEndPoint!).Port}";
    }

    /// <summary>
    /// A loopback address where connects hang (a black hole): a listener that never accepts,
    /// with its backlog already filled, so the kernel drops further SYNs.
    /// </summary>
    public static BlackHole BlackHole() => new();
}

public sealed class BlackHole : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _fillers = [];

    public BlackHole()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        var endPoint = (IPEndPoint)_listener.LocalEndPoint!;
        Address = $"127.0.0.1:{endPoint.Port}";

        // Fill the accept queue: once full, the kernel silently drops new SYNs.
        for (var i = 0; i < 4; i++)
        {
            _fillers.Add(StartConnect(endPoint));
        }

        // Prove it: a further connect must still be pending after a while.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            Thread.Sleep(50);
            using var probe = StartConnect(endPoint);
            if (!probe.Poll(300_000, SelectMode.SelectWrite) && !probe.Poll(0, SelectMode.SelectError))
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("could not make a black hole: connects to a full accept queue still complete (net.ipv4.tcp_abort_on_overflow?)");
            }

            _fillers.Add(StartConnect(endPoint));
        }
    }

    private static Socket StartConnect(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        try
        {
            socket.Connect(endPoint);
        }
        catch (SocketException)
        {
            // EINPROGRESS: the connect goes on in the kernel.
        }

        return socket;
    }

    public string Address { get; }

    public void Dispose()
    {
        foreach (var s in _fillers)
        {
            s.Dispose();
        }

        _listener.Dispose();
    }
}
