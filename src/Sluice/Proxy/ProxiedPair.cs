using System.Net;
using Sluice.Forwarding;
using Sluice.Forwarding.Epoll;

namespace Sluice.Proxy;

/// <summary>A proxied connection on the epoll engine: reports its end to its route.</summary>
internal sealed class ProxiedPair : EpollPair
{
    private readonly ProxyRoute _route;
    private readonly Health.Upstream _upstream;
    private readonly IPEndPoint? _client;
    private readonly long _started;

    public ProxiedPair(ProxyRoute route, EpollLoop loop, int clientFd, int upstreamFd, uint upstreamWatch, Health.Upstream upstream, IPEndPoint? client, long started)
        : base(loop, clientFd, upstreamFd, upstreamWatch, route.Config.IdleTimeout, route.Registry, route.Counters)
    {
        _route = route;
        _upstream = upstream;
        _client = client;
        _started = started;
    }

    protected override void OnClosed()
    {
        _upstream.OnConnectionEnded();
        _route.Complete(_started, _client, _upstream, BytesFromClient, BytesToClient, CloseReason);
    }
}
