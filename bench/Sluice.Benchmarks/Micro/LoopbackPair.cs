using System.Net;
using System.Net.Sockets;

namespace Sluice.Benchmarks.Micro;

/// <summary>Two connected TCP sockets on loopback: <see cref="Outer"/> is the test's end, <see cref="Inner"/> is given to the pump.</summary>
internal sealed class LoopbackPair : IDisposable
{
    private LoopbackPair(Socket outer, Socket inner)
    {
        Outer = outer;
        Inner = inner;
    }

    public Socket Outer { get; }

    public Socket Inner { get; }

    public static LoopbackPair Create()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var outer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        outer.Connect(listener.LocalEndPoint!);
        var inner = listener.Accept();
        inner.NoDelay = true;
        return new LoopbackPair(outer, inner);
    }

    public void Dispose()
    {
        Outer.Dispose();
        Inner.Dispose();
    }
}
