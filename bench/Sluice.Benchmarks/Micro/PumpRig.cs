using System.Net.Sockets;
using Sluice.Forwarding;

namespace Sluice.Benchmarks.Micro;

/// <summary>
/// The real pump between two loopback pairs: bytes written to <see cref="Client"/> are forwarded
/// by a <see cref="DuplexConnection"/> to <see cref="Upstream"/>. Only the public surface is used
/// (the constructor and RunAsync), so the pump's insides can change freely under the benchmark.
/// </summary>
internal sealed class PumpRig : IAsyncDisposable
{
    private readonly LoopbackPair _client;
    private readonly LoopbackPair _upstream;
    private readonly ConnectionRegistry _registry = new();
    private readonly Task _running;

    public PumpRig()
    {
        _client = LoopbackPair.Create();
        _upstream = LoopbackPair.Create();
        var connection = new DuplexConnection(_client.Inner, _upstream.Outer, TimeSpan.Zero, counter: null);
        _running = connection.RunAsync(_registry).AsTask();
    }

    /// <summary>The client's end: what it sends goes upstream.</summary>
    public Socket Client => _client.Outer;

    /// <summary>The upstream's end: what the client sent arrives here.</summary>
    public Socket Upstream => _upstream.Inner;

    /// <summary>
    /// <paramref name="chunks"/> times: sends one chunk from the client and reads it whole at the
    /// upstream, so each is forwarded on its own (one pump read and send, or a few if the kernel
    /// splits it). One loop in one async method: a call per chunk would allocate its own state
    /// machine box each time it waits (~140 B), which would be the harness, not the pump.
    /// </summary>
    public async Task ForwardAsync(int chunks, ReadOnlyMemory<byte> chunk, Memory<byte> into)
    {
        for (var i = 0; i < chunks; i++)
        {
            await Client.SendAsync(chunk, SocketFlags.None);
            var received = 0;
            while (received < chunk.Length)
            {
                var n = await Upstream.ReceiveAsync(into[received..chunk.Length], SocketFlags.None);
                if (n == 0)
                {
                    throw new InvalidOperationException("the pump closed the upstream side");
                }

                received += n;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Shutdown(SocketShutdown.Send);
        Upstream.Shutdown(SocketShutdown.Send);
        await _running;
        _client.Dispose();
        _upstream.Dispose();
        _registry.Dispose();
    }
}
