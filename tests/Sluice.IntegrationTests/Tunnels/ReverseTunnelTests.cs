using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.Configuration;
using Sluice.IntegrationTests.EndToEnd;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Protocols.Tunnels;

namespace Sluice.IntegrationTests.Tunnels;

public sealed class ReverseTunnelTests
{
    [SkippableFact]
    public async Task A_redis_client_works_through_the_public_port_of_an_exposed_redis()
    {
        var binary = Peer.Require("redis-server", "redis-server");
        var cli = Peer.Require("redis-cli", "redis-tools");
        await using var redis = await RedisServer.StartAsync(binary);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        var (_, results) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("redis", port, redis.Address)]));
        Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);

        var set = await ProcessRunner.RunAsync(cli, ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "SET", "tunnel-key", "through the tunnel"]);
        var get = await ProcessRunner.RunAsync(cli, ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "GET", "tunnel-key"]);
        Assert.Equal("OK", set.Output.Trim());
        Assert.Equal("through the tunnel", get.Output.Trim());
    }

    [Fact]
    public async Task A_port_outside_allow_ports_is_refused_and_the_others_are_published()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var allowed = TunnelHarness.FreePort();
        var forbidden = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(allowed, allowed)]);
        var (_, results) = await harness.StartAgentAsync(harness.AgentConfig(
        [
            TunnelHarness.Expose("ok", allowed, echo.Address),
            TunnelHarness.Expose("nope", forbidden, echo.Address),
        ]));

        Assert.Equal(RegisterStatus.Ok, results.Single(r => r.Name == "ok").Status);
        var refused = results.Single(r => r.Name == "nope");
        Assert.Equal(RegisterStatus.NotAllowed, refused.Status);
        Assert.Contains("allow_ports", refused.Detail, StringComparison.Ordinal);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, forbidden));
        await AssertEchoesAsync(allowed, 64 * 1024);
    }

    [Fact]
    public async Task Five_hundred_concurrent_connections_through_one_agent_all_round_trip_intact()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));

        var tasks = Enumerable.Range(0, 500).Select(i => AssertEchoesAsync(port, 8 * 1024 + (i * 37), seed: i)).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(90));
        await Poll.UntilAsync(() => harness.Server.Connections.Count == 0, "every tunnelled connection closed");
    }

    [Fact]
    public async Task A_killed_agent_that_restarts_gets_its_tunnels_back_on_the_same_ports()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        var config = harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]);
        var (first, _) = await harness.StartAgentAsync(config);
        await AssertEchoesAsync(port, 1000);

        // Killed: the connection drops with no goodbye and the agent process is gone.
        first.AbortConnection();
        await first.DisposeAsync();

        var (_, results) = await harness.StartAgentAsync(config);
        Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);
        Assert.Equal($"127.0.0.1:{port}", results[0].Detail);
        await AssertEchoesAsync(port, 100_000);
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_agent_whose_connection_drops_reconnects_by_itself_and_its_port_keeps_working()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
        var next = agent.RegisteredAsync;

        agent.AbortConnection();
        var results = await next.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);
        Assert.Equal(2, agent.Sessions);
        await AssertEchoesAsync(port, 10_000);
    }

    [Fact]
    public async Task A_second_session_of_the_same_agent_replaces_the_first_without_losing_the_port()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        var config = harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]);
        var (first, _) = await harness.StartAgentAsync(config);

        // The old one still looks alive to the server (a half-open connection after a NAT reset).
        var (_, results) = await harness.StartAgentAsync(config);
        Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);
        await Poll.UntilAsync(() => first.LastServerError?.Contains("replaced", StringComparison.Ordinal) == true, "the first session is told it was replaced");
        await first.DisposeAsync();
        await AssertEchoesAsync(port, 10_000);
    }

    internal static async Task AssertEchoesAsync(int port, int size, int seed = 0)
    {
        var payload = new byte[size];
        new Random(seed).NextBytes(payload);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var send = socket.SendAsync(payload, SocketFlags.None);
        var received = await SocketIo.ReadExactlyAsync(socket, size, TimeSpan.FromSeconds(60));
        await send;
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
    }
}
