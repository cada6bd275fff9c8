using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Configuration;
using Sluice.Health;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Health;

public sealed class TcpUpstreamProbeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ConnectOnly_ListeningServer_Passes()
    {
        await using var server = LoopbackServer.AcceptAndClose();

        var result = await Probe(new HealthCheckConfig { Timeout = Timeout }, server.Address);

        Assert.True(result.Passed, result.Error);
    }

    [Fact]
    public async Task ConnectOnly_NothingListening_FailsAsRefused()
    {
        var port = FreePort();

        var result = await Probe(new HealthCheckConfig { Timeout = Timeout }, new HostPort("127.0.0.1", port));

        Assert.Equal(new ProbeResult(false, "connect_refused"), result);
    }

    [Fact]
    public async Task SendExpect_RightReply_Passes()
    {
        await using var server = LoopbackServer.Answering("PING\r\n", "+PONG\r\n");

        var result = await Probe(PingPong(), server.Address);

        Assert.True(result.Passed, result.Error);
    }

    [Fact]
    public async Task SendExpect_WrongReply_Fails()
    {
        await using var server = LoopbackServer.Answering("PING\r\n", "-ERR unknown command\r\n");

        var result = await Probe(PingPong(), server.Address);

        Assert.False(result.Passed);
        Assert.StartsWith("reply_mismatch", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expect_ReplySplitAcrossWrites_Passes()
    {
        await using var server = LoopbackServer.Start(async (socket, ct) =>
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("hello +PO"), ct);
            await Task.Delay(50, ct);
            await socket.SendAsync(Encoding.UTF8.GetBytes("NG\r\n"), ct);
            await Task.Delay(Timeout, ct);
        });

        var result = await Probe(new HealthCheckConfig { Timeout = Timeout, Expect = "+PONG" }, server.Address);

        Assert.True(result.Passed, result.Error);
    }

    [Fact]
    public async Task Expect_SilentServer_TimesOutWithinTheTimeout()
    {
        await using var server = LoopbackServer.Start((_, ct) => Task.Delay(System.Threading.Timeout.Infinite, ct));
        var config = PingPong() with { Timeout = TimeSpan.FromMilliseconds(300) };
        var started = Stopwatch.GetTimestamp();

        var result = await Probe(config, server.Address);

        Assert.Equal(new ProbeResult(false, "reply_timeout"), result);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Expect_EndlessReplyWithoutMatch_FailsAtTheCapNotTheTimeout()
    {
        await using var server = LoopbackServer.Start(async (socket, ct) =>
        {
            await socket.SendAsync(new byte[3 * TcpUpstreamProbe.MaxReplyBytes].AsMemory(), ct);
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        });
        var config = new HealthCheckConfig { Timeout = TimeSpan.FromSeconds(30), Expect = "+PONG" };

        var result = await Probe(config, server.Address).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(result.Passed);
        Assert.Contains("first 4096 bytes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expect_ServerClosesEarly_Fails()
    {
        await using var server = LoopbackServer.AcceptAndClose();

        var result = await Probe(PingPong(), server.Address);

        Assert.False(result.Passed);
    }

    [Fact]
    public async Task Connect_BlackHoled_TimesOut()
    {
        using var hole = Ports.BlackHole();
        var port = int.Parse(hole.Address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        var started = Stopwatch.GetTimestamp();
        var result = await Probe(new HealthCheckConfig { Timeout = TimeSpan.FromMilliseconds(300) }, new HostPort("127.0.0.1", port));

        Assert.Equal(new ProbeResult(false, "connect_timeout"), result);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }

    private static HealthCheckConfig PingPong() => new() { Timeout = Timeout, Send = "PING\r\n", Expect = "+PONG" };

    private static ValueTask<ProbeResult> Probe(HealthCheckConfig config, HostPort target) =>
        new TcpUpstreamProbe(config, TimeProvider.System).ProbeAsync(target, CancellationToken.None);

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
