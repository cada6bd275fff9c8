using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Hosting;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Transport;
using Sluice.Tunnels;

namespace Sluice.IntegrationTests.Tunnels;

/// <summary>An in-process gateway with a tunnel server on loopback, and agents started against it.</summary>
internal sealed class TunnelHarness : IAsyncDisposable
{
    public const string Token = "correct-horse-battery";

    private readonly TempDirectory _directory;
    private readonly ILoggerFactory _loggers;
    private readonly List<TunnelAgent> _agents = [];

    private TunnelHarness(TempDirectory directory, Gateway gateway, ILoggerFactory loggers, CapturingLoggerProvider logs, TunnelServerConfig config)
    {
        _directory = directory;
        Gateway = gateway;
        _loggers = loggers;
        Logs = logs;
        Config = config;
    }

    public Gateway Gateway { get; }

    public CapturingLoggerProvider Logs { get; }

    public TunnelServerConfig Config { get; }

    public TunnelServer Server => Gateway.Tunnels!;

    public IPEndPoint AgentEndPoint => Gateway.EndpointsOf("tunnel_server")[0];

    public string Directory => _directory.Path;

    /// <summary>The generated certificate's fingerprint (TLS harnesses only).</summary>
    public string Fingerprint => Configuration.Fingerprint.Format(ServerCertificate.Sha256(Server.Certificate!));

    public static async Task<TunnelHarness> StartAsync(
        IReadOnlyList<PortRange> allowPorts,
        IReadOnlyList<string>? allowForward = null,
        bool tls = false,
        bool websocket = false,
        TimeSpan? handshakeTimeout = null,
        TimeSpan? idleTimeout = null,
        Func<TunnelServerConfig, TunnelServerConfig>? configure = null)
    {
        var directory = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var rules = (allowForward ?? []).Select(r => ForwardRule.TryParse(r, out var rule, out var error) ? rule! : throw new ArgumentException(error)).ToArray();
        var config = new TunnelServerConfig
        {
            Listen = new HostPort("127.0.0.1", 0),
            Tls = tls,
            WebSocketListen = websocket ? new HostPort("127.0.0.1", 0) : null,
            HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(10),
            HeartbeatInterval = TimeSpan.FromSeconds(2),
            Agents = [new TunnelAgentConfig { Name = "office", Token = Token, AllowPorts = allowPorts, AllowForward = rules, IdleTimeout = idleTimeout ?? TimeSpan.Zero }],
        };
        config = configure?.Invoke(config) ?? config;
        var gateway = new Gateway(loggers);
        var errors = await gateway.ApplyAsync(new SluiceConfig
        {
            TunnelServer = config,
            SourcePath = Path.Combine(directory.Path, "sluice.toml"),
        });
        Assert.Empty(errors);
        return new TunnelHarness(directory, gateway, loggers, logs, config);
    }

    public AgentConfig AgentConfig(IReadOnlyList<ExposeConfig>? exposes = null, IReadOnlyList<ForwardConfig>? forwards = null, string name = "office") => new()
    {
        Server = AgentEndPoint.ToString(),
        Name = name,
        Token = Token,
        Tls = Config.Tls,
        ServerFingerprint = Config.Tls ? Configuration.Fingerprint.TryNormalize(Fingerprint, out var pin, out _) ? pin : null : null,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        Exposes = exposes ?? [],
        Forwards = forwards ?? [],
    };

    /// <summary>Starts an agent and waits for the server's answer to its registration.</summary>
    public async Task<(TunnelAgent Agent, IReadOnlyList<Protocols.Tunnels.TunnelResult> Results)> StartAgentAsync(AgentConfig config)
    {
        var agent = new TunnelAgent(config, _loggers);
        _agents.Add(agent);
        var registered = agent.RegisteredAsync;
        agent.Start();
        var results = await registered.WaitAsync(TimeSpan.FromSeconds(15));
        return (agent, results);
    }

    /// <summary>An agent that is expected to fail (no registration): started, not awaited.</summary>
    public TunnelAgent StartAgentNoWait(AgentConfig config)
    {
        var agent = new TunnelAgent(config, _loggers);
        _agents.Add(agent);
        agent.Start();
        return agent;
    }

    public static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public static ExposeConfig Expose(string name, int remotePort, string local) =>
        new() { Name = name, RemotePort = remotePort, Local = HostPort.TryParse(local, out var hp, out _) ? hp : throw new ArgumentException(local) };

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await Gateway.DisposeAsync();
        _loggers.Dispose();
        _directory.Dispose();
    }
}
