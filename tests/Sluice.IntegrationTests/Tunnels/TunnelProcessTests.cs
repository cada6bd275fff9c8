using System.Net;
using Sluice.IntegrationTests.EndToEnd;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Tunnels;

/// <summary>The real binaries: `sluice run` with a tunnel server, `sluice agent`, and the agent process killed.</summary>
public sealed class TunnelProcessTests
{
    [Fact]
    public async Task A_sigkilled_agent_process_restarted_gets_its_port_back_over_tls_with_the_printed_fingerprint()
    {
        using var directory = new TempDirectory();
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        var listen = TunnelHarness.FreePort();
        var port = TunnelHarness.FreePort();
        directory.File("sluice.toml", $"""
            [tunnel_server]
            listen = "127.0.0.1:{listen}"

            [[tunnel_server.agent]]
            name = "office"
            token = "{TunnelHarness.Token}"
            allow_ports = ["{port}"]
            """);
        await using var server = SluiceProcess.Start(directory.Path, "run", "-c", "sluice.toml");
        var fingerprint = (await server.WaitForOutputAsync("server_fingerprint = \"(sha256:[0-9A-F:]+)\"", TimeSpan.FromSeconds(30))).Groups[1].Value;
        await server.WaitForOutputAsync("listening for agents on", TimeSpan.FromSeconds(30));

        var agentFile = directory.File("agent.toml", $"""
            [agent]
            server = "127.0.0.1:{listen}"
            name = "office"
            token = "{TunnelHarness.Token}"
            server_fingerprint = "{fingerprint}"
            reconnect_min_delay = "100ms"

            [[expose]]
            name = "echo"
            remote_port = {port}
            local = "{echo.Address}"
            """);
        var (checkCode, checkOutput) = await SluiceProcess.RunAsync(directory.Path, "check", "-c", agentFile);
        Assert.Equal(0, checkCode);
        Assert.Contains(": ok (agent \"office\"", checkOutput, StringComparison.Ordinal);

        await using (var agent = SluiceProcess.Start(directory.Path, "agent", "-c", "agent.toml"))
        {
            await agent.WaitForOutputAsync("is public on", TimeSpan.FromSeconds(30));
            await ReverseTunnelTests.AssertEchoesAsync(port, 100_000);
            agent.Signal(9);
            await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await using var restarted = SluiceProcess.Start(directory.Path, "agent", "-c", "agent.toml");
        await restarted.WaitForOutputAsync($"is public on 127.0.0.1:{port}", TimeSpan.FromSeconds(30));
        await ReverseTunnelTests.AssertEchoesAsync(port, 100_000);
        Assert.DoesNotContain("in use", server.Output, StringComparison.OrdinalIgnoreCase);
    }
}
