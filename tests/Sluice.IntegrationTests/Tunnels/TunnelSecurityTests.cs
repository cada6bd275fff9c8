using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;
using Sluice.IntegrationTests.EndToEnd;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Multiplexing;
using Sluice.Protocols.Tunnels;
using Sluice.Transport;

namespace Sluice.IntegrationTests.Tunnels;

public sealed class TunnelSecurityTests
{
    [Fact]
    public async Task A_wrong_token_and_an_unknown_name_get_the_same_answer_and_publish_nothing()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        var exposes = new[] { TunnelHarness.Expose("echo", port, echo.Address) };

        var wrongToken = harness.StartAgentNoWait(harness.AgentConfig(exposes) with { Token = "not-the-right-token" });
        var wrongName = harness.StartAgentNoWait(harness.AgentConfig(exposes) with { Name = "intruder" });
        await Poll.UntilAsync(() => wrongToken.LastServerError is not null && wrongName.LastServerError is not null, "both agents refused");

        Assert.Equal("authentication failed", wrongToken.LastServerError);
        Assert.Equal(wrongToken.LastServerError, wrongName.LastServerError);
        Assert.Equal(0, wrongToken.Sessions);
        Assert.False(harness.Server.IsConnected("office"));
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));

        // The operator's log says which part was wrong; the agents were told neither.
        Assert.Contains(harness.Logs.Entries, e => e.Id.Id == 7006 && e.Message.Contains("wrong token for agent \"office\"", StringComparison.Ordinal));
        Assert.Contains(harness.Logs.Entries, e => e.Id.Id == 7006 && e.Message.Contains("unknown agent name \"intruder\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_tls_and_the_pinned_fingerprint_the_tunnel_works_and_the_certificate_is_kept()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)], tls: true);
        var (_, results) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));

        Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);
        await ReverseTunnelTests.AssertEchoesAsync(port, 500_000);
        Assert.True(File.Exists(Path.Combine(harness.Directory, ServerCertificate.DefaultCertFile)));
        Assert.Contains(harness.Logs.Entries, e => e.Id.Id == 7004 && e.Message.Contains(harness.Fingerprint, StringComparison.Ordinal));
        Assert.Contains(harness.Logs.Entries, e => e.Id.Id == 7005 && e.Message.Contains("over tls Tls13 TLS_AES_128_GCM_SHA256", StringComparison.Ordinal));

        // The same pair is loaded again on the next start: the pinned fingerprint stays valid.
        var (reloaded, generated) = ServerCertificate.LoadOrCreate(
            Path.Combine(harness.Directory, ServerCertificate.DefaultCertFile),
            Path.Combine(harness.Directory, ServerCertificate.DefaultKeyFile),
            generateIfMissing: true);
        using (reloaded)
        {
            Assert.False(generated);
            Assert.Equal(harness.Fingerprint, Fingerprint.Format(ServerCertificate.Sha256(reloaded)));
        }
    }

    [Fact]
    public async Task A_wrong_pin_is_refused_by_the_agent_before_any_secret_is_used()
    {
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)], tls: true);
        var agent = harness.StartAgentNoWait(harness.AgentConfig([TunnelHarness.Expose("echo", port, "127.0.0.1:1")]) with
        {
            ServerFingerprint = new string('A', 64),
        });

        await Poll.UntilAsync(() => harness.Logs.Entries.Any(e => e.Id.Id == 7041 && e.Message.Contains("does not match the pinned one", StringComparison.Ordinal)), "the agent reports the mismatch");
        Assert.Equal(0, agent.Sessions);
        Assert.False(harness.Server.IsConnected("office"));
    }

    [Fact]
    public async Task The_generated_certificate_works_as_ca_file()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)], tls: true);
        var config = harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]) with
        {
            ServerFingerprint = null,
            CaFile = Path.Combine(harness.Directory, ServerCertificate.DefaultCertFile),
        };
        var (_, results) = await harness.StartAgentAsync(config);
        Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);
        await ReverseTunnelTests.AssertEchoesAsync(port, 10_000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_websocket_transport_carries_a_tunnel(bool tls)
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)], tls: tls, websocket: true);
        var url = harness.Gateway.TunnelWebSocket!.Url;
        Assert.StartsWith(tls ? "wss://" : "ws://", url, StringComparison.Ordinal);
        var (agent, results) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]) with { Server = url });

        Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ReverseTunnelTests.AssertEchoesAsync(port, 100_000, seed: i)));
        Assert.Contains(harness.Logs.Entries, e => e.Id.Id == 7005 && e.Message.Contains(tls ? "over wss" : "over ws", StringComparison.Ordinal));
        Assert.Equal(1, agent.Sessions);
    }

    [Fact]
    public async Task Garbage_on_the_agent_port_closes_only_that_connection()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));

        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await attacker.ConnectAsync(harness.AgentEndPoint);
        await attacker.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), SocketFlags.None);
        Assert.True(await SocketIo.ClosedWithinAsync(attacker, TimeSpan.FromSeconds(10)));

        Assert.True(harness.Server.IsConnected("office"));
        await ReverseTunnelTests.AssertEchoesAsync(port, 50_000);
    }

    [Fact]
    public async Task An_oversized_control_message_closes_that_agent_with_a_logged_reason()
    {
        await using var harness = await TunnelHarness.StartAsync([]);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(harness.AgentEndPoint);
        await using var mux = MuxSession.Start(new NetworkStream(socket, ownsSocket: true), isClient: true, new MuxOptions(), NullLogger.Instance);
        var control = await mux.OpenStreamAsync(CancellationToken.None);
        await control.WriteAsync(new byte[] { 0x01, 0x00, 0xFF, 0xFF, 0x00, 0x01 });

        await mux.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => harness.Logs.Entries.Any(e => e.Id.Id == 7006 && e.Message.Contains("exceeds the 8192-byte cap", StringComparison.Ordinal)), "the reason is logged");
    }

    [Fact]
    public async Task A_slow_hello_is_closed_at_the_handshake_timeout_while_a_good_agent_connects()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)], handshakeTimeout: TimeSpan.FromSeconds(1));
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync(harness.AgentEndPoint);
        await slow.SendAsync(new byte[] { 0x00 }, SocketFlags.None); // one byte of a frame header, then nothing

        await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
        Assert.True(await SocketIo.ClosedWithinAsync(slow, TimeSpan.FromSeconds(10)));
        Assert.Contains(harness.Logs.Entries, e => e.Id.Id == 7006 && e.Message.Contains("no complete handshake within", StringComparison.Ordinal));
        await ReverseTunnelTests.AssertEchoesAsync(port, 1000);
    }

    [Fact]
    public async Task A_flood_of_silent_connections_is_capped_and_an_agent_connects_after_it()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)], handshakeTimeout: TimeSpan.FromSeconds(2));
        var flood = new List<Socket>();
        try
        {
            for (var i = 0; i < Sluice.Tunnels.TunnelServer.MaxPendingHandshakes + 40; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(harness.AgentEndPoint);
                flood.Add(socket);
            }

            await Poll.UntilAsync(() => harness.Logs.Entries.Count(e => e.Id.Id == 7006 && e.Message.Contains("handshakes in progress", StringComparison.Ordinal)) >= 40, "connections beyond the cap are refused at once");

            // Once the flood's handshakes time out, a real agent gets in.
            var (_, results) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
            Assert.Equal(RegisterStatus.Ok, Assert.Single(results).Status);
            await ReverseTunnelTests.AssertEchoesAsync(port, 1000);
        }
        finally
        {
            flood.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_tls_client_that_never_finishes_its_handshake_is_closed()
    {
        await using var harness = await TunnelHarness.StartAsync([], tls: true, handshakeTimeout: TimeSpan.FromSeconds(1));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(harness.AgentEndPoint);
        Assert.True(await SocketIo.ClosedWithinAsync(socket, TimeSpan.FromSeconds(10)));
    }
}
