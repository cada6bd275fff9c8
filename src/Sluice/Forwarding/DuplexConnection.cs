using System.Net.Sockets;

namespace Sluice.Forwarding;

/// <summary>A client socket joined to an upstream socket: both directions pumped until both end.</summary>
public sealed class DuplexConnection : SocketForwarder
{
    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly IByteCounter? _counter;

    public DuplexConnection(Socket client, Socket upstream, TimeSpan idleTimeout, IByteCounter? counter)
    {
        _client = client;
        _upstream = upstream;
        _counter = counter;
        IdleTimeoutMs = (long)idleTimeout.TotalMilliseconds;
    }

    /// <summary>Pumps both ways; returns when both directions are done or the connection was aborted.</summary>
    public async ValueTask<CloseReason> RunAsync(ConnectionRegistry registry)
    {
        registry.Add(this);
        try
        {
            // One direction runs as its own ValueTask while this method awaits the other: no
            // Task.WhenAll, no extra Task objects per connection.
            var upstreamBound = PumpAsync(_client, _upstream, fromClient: true, _counter);
            await PumpAsync(_upstream, _client, fromClient: false, _counter);
            await upstreamBound;
        }
        finally
        {
            registry.Remove(this);
            _client.Dispose();
            _upstream.Dispose();
        }

        return CloseReason;
    }

    protected override void Abort(CloseReason reason, bool resetPeers)
    {
        if (TrySetCloseReason(reason))
        {
            Close(_client, resetPeers);
            Close(_upstream, resetPeers);
        }
    }
}
