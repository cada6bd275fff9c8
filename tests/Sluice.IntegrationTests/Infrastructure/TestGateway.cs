using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;
using Sluice.Hosting;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>An in-process Sluice gateway on ephemeral loopback ports.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(Gateway gateway)
    {
        Gateway = gateway;
    }

    public Gateway Gateway { get; }

    public static async Task<TestGateway> StartAsync(SluiceConfig config, ILoggerFactory? loggers = null)
    {
        var gateway = new Gateway(loggers ?? NullLoggerFactory.Instance);
        var errors = await gateway.ApplyAsync(config);
        Assert.Empty(errors);
        return new TestGateway(gateway);
    }

    public IPEndPoint EndPoint(string name) => Gateway.EndpointsOf(name).First();

    public async Task<Socket> ConnectAsync(string name)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(EndPoint(name));
        return socket;
    }

    public static HostPort Loopback0 => new("127.0.0.1", 0);

    public static HostPort Parse(string address) => HostPort.TryParse(address, out var hp, out var error) ? hp : throw new ArgumentException(error);

    /// <summary>A config with one proxy route "p" on an ephemeral port to cluster "c" of the given upstreams.</summary>
    public static SluiceConfig Proxy(IEnumerable<string> upstreams, Func<ProxyRouteConfig, ProxyRouteConfig>? route = null, Func<ClusterConfig, ClusterConfig>? cluster = null)
    {
        var r = new ProxyRouteConfig { Name = "p", Listen = [Loopback0], Cluster = "c" };
        var c = new ClusterConfig { Name = "c", Upstreams = upstreams.Select(u => new UpstreamConfig { Address = Parse(u) }).ToArray() };
        return new SluiceConfig
        {
            Proxies = [route is null ? r : route(r)],
            Clusters = [cluster is null ? c : cluster(c)],
        };
    }

    public async ValueTask DisposeAsync() => await Gateway.DisposeAsync();
}
