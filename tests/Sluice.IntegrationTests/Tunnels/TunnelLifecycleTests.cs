using System.Diagnostics.Metrics;
using System.Net;
using Sluice.Configuration;
using Sluice.IntegrationTests.EndToEnd;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Tunnels;

public sealed class TunnelLifecycleTests
{
    [Fact]
    public async Task Metrics_count_agents_auth_failures_bytes_and_reconnects()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        using var metrics = new MetricsProbe(harness.Gateway.Metrics.Meter);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
        var bad = harness.StartAgentNoWait(harness.AgentConfig() with { Token = "wrong-token-123", Forwards = [] });
        await Poll.UntilAsync(() => bad.LastServerError is not null, "the bad agent is refused");
        await bad.DisposeAsync();
        await ReverseTunnelTests.AssertEchoesAsync(port, 12_345);
        var next = agent.RegisteredAsync;
        agent.AbortConnection();
        await next.WaitAsync(TimeSpan.FromSeconds(15));

        var values = metrics.Collect();
        Assert.Equal(1, values[("sluice.tunnel.agents.connected", "")]);
        Assert.True(values[("sluice.tunnel.auth.failures", "reason=bad_credentials")] >= 1);
        Assert.Equal(12_345, values[("sluice.tunnel.transferred", "agent=office,tunnel=echo,direction=client_to_upstream")]);
        Assert.Equal(12_345, values[("sluice.tunnel.transferred", "agent=office,tunnel=echo,direction=upstream_to_client")]);
        Assert.Equal(1, values[("sluice.tunnel.reconnects", "agent=office")]);
        Assert.True(values[("sluice.tunnel.session.window", "agent=office")] > 0);
    }

    [SkippableFact]
    public async Task The_admin_endpoint_exports_tunnel_metrics_that_promtool_accepts()
    {
        var promtool = Peer.Require("promtool", "prometheus");
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
        await ReverseTunnelTests.AssertEchoesAsync(port, 4321);
        await using var admin = new Sluice.Admin.AdminServer(new AdminConfig { Listen = new HostPort("127.0.0.1", 0) }, harness.Gateway, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await admin.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{admin.Endpoint}/") };

        var text = await http.GetStringAsync("metrics");
        Assert.Contains("sluice_tunnel_agents_connected 1", text.Replace("{}", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("sluice_tunnel_transferred_bytes_total{agent=\"office\",direction=\"client_to_upstream\",tunnel=\"echo\"} 4321", text, StringComparison.Ordinal);
        await ProcessRunner.AssertPromtoolAcceptsAsync(promtool, text);
    }

    [Fact]
    public async Task A_reload_that_changes_the_token_closes_the_session_and_the_old_token_no_longer_works()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
        var listener = harness.AgentEndPoint;

        var changed = harness.Config with { Agents = [harness.Config.Agents[0] with { Token = "a-brand-new-token" }] };
        var errors = await harness.Gateway.ApplyAsync(new SluiceConfig { TunnelServer = changed, SourcePath = Path.Combine(harness.Directory, "sluice.toml") });
        Assert.Empty(errors);

        Assert.Equal(listener, harness.AgentEndPoint);
        await Poll.UntilAsync(() => agent.LastServerError == "authentication failed", "the agent, reconnecting with its old token, is refused");
        Assert.False(harness.Server.IsConnected("office"));
    }

    [Fact]
    public async Task An_idle_tunnelled_connection_is_closed_at_the_agents_idle_timeout_and_logged_so()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)], idleTimeout: TimeSpan.FromMilliseconds(500));
        await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
        using var idle = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await idle.ConnectAsync(IPAddress.Loopback, port);
        await idle.SendAsync("once"u8.ToArray());
        Assert.Equal("once"u8.ToArray(), await SocketIo.ReadExactlyAsync(idle, 4, TimeSpan.FromSeconds(10)));

        Assert.True(await SocketIo.ClosedWithinAsync(idle, TimeSpan.FromSeconds(10)));
        await Poll.UntilAsync(() => harness.Logs.Entries.Any(e => e.Id.Id == 7012 && e.Message.Contains("reason=idle_timeout", StringComparison.Ordinal)), "the access log says why");
    }

    [Fact]
    public async Task Drain_tells_agents_to_go_away_and_lets_an_open_connection_finish()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var port = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(port, port)]);
        var (agent, _) = await harness.StartAgentAsync(harness.AgentConfig([TunnelHarness.Expose("echo", port, echo.Address)]));
        using var open = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await open.ConnectAsync(IPAddress.Loopback, port);
        await Poll.UntilAsync(() => harness.Server.Connections.Count == 1, "the connection is tunnelled");

        var drain = harness.Gateway.DrainAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => agent.LastServerError == "server shutting down", "the agent hears the go-away");

        // The open connection still works until it is closed by its user.
        await open.SendAsync("still here"u8.ToArray());
        Assert.Equal("still here"u8.ToArray(), await SocketIo.ReadExactlyAsync(open, 10, TimeSpan.FromSeconds(10)));
        open.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        await drain.WaitAsync(TimeSpan.FromSeconds(15));
    }
}
