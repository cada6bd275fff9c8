using System.Net;
using System.Net.Sockets;
using Sluice.Configuration;
using Sluice.IntegrationTests.Tunnels;
using Sluice.Protocols.Tunnels;
using Sluice.Tunnels;

namespace Sluice.IntegrationTests.HttpTunnels;

/// <summary>A tunnel server with its HTTP edge on loopback (domain "tunnel.test"), and clients that reach the edge whatever host a URL names.</summary>
internal sealed class HttpTunnelHarness : IAsyncDisposable
{
    public const string Domain = "tunnel.test";

    private HttpTunnelHarness(TunnelHarness tunnels) => Tunnels = tunnels;

    public TunnelHarness Tunnels { get; }

    public IPEndPoint Edge => Tunnels.Server.HttpEdge!.HttpEndPoint!;

    public static async Task<HttpTunnelHarness> StartAsync(TimeSpan? httpTimeout = null, Func<TunnelServerConfig, TunnelServerConfig>? configure = null)
    {
        var tunnels = await TunnelHarness.StartAsync([], configure: config =>
        {
            config = config with
            {
                HttpListen = new HostPort("127.0.0.1", 0),
                Domain = Domain,
                HttpTimeout = httpTimeout ?? TimeSpan.FromSeconds(30),
                Agents =
                [
                    .. config.Agents,
                    new TunnelAgentConfig { Name = "other", Token = TunnelHarness.Token, AllowHosts = ["shop", "app.example.org"] },
                ],
            };
            return configure?.Invoke(config) ?? config;
        });
        return new HttpTunnelHarness(tunnels);
    }

    public static ExposeConfig Http(string host, string local, string? name = null) => new()
    {
        Name = name ?? host.Replace('.', '-'),
        RemotePort = 0,
        HttpHost = host,
        Local = HostPort.TryParse(local, out var hp, out _) ? hp : throw new ArgumentException(local),
    };

    /// <summary>Starts an agent with these HTTP tunnels and returns its HTTP results.</summary>
    public async Task<(TunnelAgent Agent, IReadOnlyList<HttpTunnelResult> Results)> StartAgentAsync(IReadOnlyList<ExposeConfig> exposes, string name = "office", Func<AgentConfig, AgentConfig>? configure = null)
    {
        var config = Tunnels.AgentConfig(exposes, name: name);
        config = configure?.Invoke(config) ?? config;
        var (agent, _) = await Tunnels.StartAgentAsync(config);
        return (agent, agent.HttpTunnels);
    }

    /// <summary>An HttpClient whose every connection goes to the edge, so URLs can name the public hosts.</summary>
    public HttpClient Client(TimeSpan? timeout = null) => new(EdgeHandler(Edge)) { Timeout = timeout ?? TimeSpan.FromSeconds(60) };

    public static SocketsHttpHandler EdgeHandler(IPEndPoint edge) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(edge, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    public static string Url(string host, string path) => $"http://{host}{path}";

    public ValueTask DisposeAsync() => Tunnels.DisposeAsync();
}
