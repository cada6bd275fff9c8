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
        for (var i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                filler.Connect(endPoint);
            }
            catch (SocketException)
            {
                // EINPROGRESS for the ones that don't fit.
            }

            _fillers.Add(filler);
        }

        Thread.Sleep(100);
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
