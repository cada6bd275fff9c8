using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.Configuration;
using Sluice.IntegrationTests.EndToEnd;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Tunnels;

public sealed class ForwardTunnelTests
{
    private static ForwardConfig Socks(string? user = null, string? password = null) =>
        new() { Listen = new HostPort("127.0.0.1", 0), Socks5 = true, Username = user, Password = password };

    [SkippableFact]
    public async Task Curl_through_the_agents_socks5_reaches_an_allowed_http_server()
    {
        var curl = Peer.Require("curl", "curl");
        await using var http = new TinyHttpServer("hello from behind the server");
        await using var harness = await TunnelHarness.StartAsync([], [$"127.0.0.1:{http.Port}"]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [Socks()]));
        var proxy = agent.ForwardEndpoints[0];

        var (exit, output) = await ProcessRunner.RunAsync(curl, ["-sS", "--max-time", "20", "--socks5-hostname", proxy.ToString(), $"http://127.0.0.1:{http.Port}/"]);
        Assert.Equal(0, exit);
        Assert.Equal("hello from behind the server", output.Trim());
    }

    [SkippableFact]
    public async Task Curl_is_refused_for_a_destination_not_in_allow_forward()
    {
        var curl = Peer.Require("curl", "curl");
        await using var allowed = new TinyHttpServer("allowed");
        await using var other = new TinyHttpServer("must not be reached");
        await using var harness = await TunnelHarness.StartAsync([], [$"127.0.0.1:{allowed.Port}"]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [Socks()]));

        var (exit, output) = await ProcessRunner.RunAsync(curl, ["-sS", "--max-time", "20", "--socks5-hostname", agent.ForwardEndpoints[0].ToString(), $"http://127.0.0.1:{other.Port}/"]);
        // 97 = CURLE_PROXY; curl 7.x prints the SOCKS reply code "(2)", 8.x "not allowed by ruleset".
        Assert.Equal(97, exit);
        Assert.True(output.Contains("(2)", StringComparison.Ordinal) || output.Contains("not allowed", StringComparison.OrdinalIgnoreCase), output);
        Assert.Equal(0, other.Requests);
    }

    [Fact]
    public async Task A_socks5_client_gets_reply_0x02_for_a_forbidden_destination_and_0x00_for_an_allowed_one()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        await using var harness = await TunnelHarness.StartAsync([], [$"127.0.0.0/8:{echo.EndPoint.Port}"]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [Socks()]));
        var proxy = agent.ForwardEndpoints[0];

        var otherPort = echo.EndPoint.Port == 65535 ? 65534 : echo.EndPoint.Port + 1;
        var (refused, refusedSocket) = await Socks5TestClient.ConnectAsync(proxy, "127.0.0.1", otherPort);
        refusedSocket.Dispose();
        Assert.Equal(0x02, refused);

        var (ok, socket) = await Socks5TestClient.ConnectAsync(proxy, "localhost", echo.EndPoint.Port);
        using (socket)
        {
            Assert.Equal(0x00, ok);
            await AssertEchoAsync(socket, 200_000);
        }

        Assert.Contains(harness.Logs.Entries, e => e.Id.Id == 7014 && e.Message.Contains("allow_forward", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_name_rule_allows_that_name_only_not_the_address_it_resolves_to()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        await using var harness = await TunnelHarness.StartAsync([], [$"localhost:{echo.EndPoint.Port}"]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [Socks()]));
        var proxy = agent.ForwardEndpoints[0];

        var (byAddress, s1) = await Socks5TestClient.ConnectAsync(proxy, "127.0.0.1", echo.EndPoint.Port);
        s1.Dispose();
        Assert.Equal(0x02, byAddress);

        var (byName, socket) = await Socks5TestClient.ConnectAsync(proxy, "LOCALHOST", echo.EndPoint.Port);
        using (socket)
        {
            Assert.Equal(0x00, byName);
            await AssertEchoAsync(socket, 50_000);
        }
    }

    [Fact]
    public async Task Socks5_username_and_password_are_required_when_configured()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        await using var harness = await TunnelHarness.StartAsync([], ["127.0.0.1/32:1-65535"]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [Socks("alice", "s3cret")]));
        var proxy = agent.ForwardEndpoints[0];

        var (noAuth, s1) = await Socks5TestClient.ConnectAsync(proxy, "127.0.0.1", echo.EndPoint.Port);
        s1.Dispose();
        Assert.Equal(0xFF, noAuth);
        var (wrong, s2) = await Socks5TestClient.ConnectAsync(proxy, "127.0.0.1", echo.EndPoint.Port, ("alice", "guess"));
        s2.Dispose();
        Assert.Equal(0xFE, wrong);
        var (ok, socket) = await Socks5TestClient.ConnectAsync(proxy, "127.0.0.1", echo.EndPoint.Port, ("alice", "s3cret"));
        using (socket)
        {
            Assert.Equal(0x00, ok);
            await AssertEchoAsync(socket, 10_000);
        }
    }

    [Fact]
    public async Task Socks5_bind_gets_command_not_supported()
    {
        await using var harness = await TunnelHarness.StartAsync([], ["127.0.0.1/32:1-65535"]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [Socks()]));
        var (reply, socket) = await Socks5TestClient.ConnectAsync(agent.ForwardEndpoints[0], "127.0.0.1", 80, command: 0x02);
        socket.Dispose();
        Assert.Equal(0x07, reply);
    }

    [Fact]
    public async Task A_fixed_target_forward_carries_bytes_both_ways_and_passes_on_half_close()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        await using var harness = await TunnelHarness.StartAsync([], [$"127.0.0.1:{echo.EndPoint.Port}"]);
        var forward = new ForwardConfig { Listen = new HostPort("127.0.0.1", 0), Target = new HostPort("127.0.0.1", echo.EndPoint.Port) };
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [forward]));

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(agent.ForwardEndpoints[0]);
        var payload = RandomNumberGenerator.GetBytes(300_000);
        await socket.SendAsync(payload, SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);

        // The echo server answers everything, then sees our FIN and closes: we read to the end.
        var received = await SocketIo.ReadToEndAsync(socket, TimeSpan.FromSeconds(30));
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
    }

    [Fact]
    public async Task A_fixed_target_that_is_not_allowed_closes_the_client_and_is_counted_in_the_log()
    {
        await using var harness = await TunnelHarness.StartAsync([], ["10.0.0.0/8:1-65535"]);
        var forward = new ForwardConfig { Listen = new HostPort("127.0.0.1", 0), Target = new HostPort("127.0.0.1", 22) };
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig(forwards: [forward]));

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(agent.ForwardEndpoints[0]);
        Assert.True(await SocketIo.ClosedWithinAsync(socket, TimeSpan.FromSeconds(10)));
        await Poll.UntilAsync(() => harness.Logs.Entries.Any(e => e.Id.Id == 7014 && e.Message.Contains("127.0.0.1:22", StringComparison.Ordinal)), "the refusal is logged");
    }

    private static async Task AssertEchoAsync(Socket socket, int size)
    {
        var payload = RandomNumberGenerator.GetBytes(size);
        var send = socket.SendAsync(payload, SocketFlags.None);
        var received = await SocketIo.ReadExactlyAsync(socket, size, TimeSpan.FromSeconds(30));
        await send;
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
    }
}
