using System.Diagnostics;
using System.Net.Sockets;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Proxy;

public sealed class TimeoutAndRetryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task IdleConnection_IsClosedAfterIdleTimeout_WhileBusyOneStaysOpen()
    {
        await using var backend = TestBackend.Echo();
        var config = TestGateway.Proxy([backend.Address], r => r with { IdleTimeout = TimeSpan.FromMilliseconds(1500) });
        await using var gateway = await TestGateway.StartAsync(config);
        using var idle = await gateway.ConnectAsync("p");
        using var busy = await gateway.ConnectAsync("p");

        // The busy one talks every 100 ms for 3.5 s — well past the idle timeout in total. (The
        // gaps are far below the timeout: a loaded 2-core machine can stall a test for ~1 s.)
        var ping = "ping"u8.ToArray();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMilliseconds(3500))
        {
            await busy.SendAsync(ping);
            Assert.Equal(ping, await SocketIo.ReadExactlyAsync(busy, ping.Length, Timeout));
            await Task.Delay(100);
        }

        // Closed politely: a FIN (read returns 0), not a reset.
        Assert.Empty(await SocketIo.ReadToEndAsync(idle, Timeout));
        await busy.SendAsync(ping);
        Assert.Equal(ping, await SocketIo.ReadExactlyAsync(busy, ping.Length, Timeout));
    }

    [Fact]
    public async Task BlackHoledUpstream_ConnectTimesOut_AndClientIsClosed()
    {
        using var hole = Ports.BlackHole();
        var config = TestGateway.Proxy([hole.Address], r => r with { ConnectTimeout = TimeSpan.FromMilliseconds(300), ConnectAttempts = 1 });
        await using var gateway = await TestGateway.StartAsync(config);
        var watch = Stopwatch.StartNew();
        using var client = await gateway.ConnectAsync("p");

        Assert.True(await SocketIo.ClosedWithinAsync(client, Timeout), "client was left hanging");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"closed after {watch.Elapsed}, before the connect timeout");
    }

    [Fact]
    public async Task DeadUpstream_NextUpstreamIsTried_EveryConnectionSucceeds()
    {
        await using var backend = TestBackend.Echo();
        var dead = Ports.RefusingAddress();
        var config = TestGateway.Proxy([dead, backend.Address], r => r with { ConnectAttempts = 2 }, c => c with { Passive = new() { MaxFailures = 0 } });
        await using var gateway = await TestGateway.StartAsync(config);

        for (var i = 0; i < 10; i++)
        {
            using var client = await gateway.ConnectAsync("p");
            var message = BitConverter.GetBytes(i);
            await client.SendAsync(message);
            Assert.Equal(message, await SocketIo.ReadExactlyAsync(client, message.Length, Timeout));
        }

        Assert.Equal(10, backend.Accepted);
    }

    [Fact]
    public async Task AllUpstreamsDead_ClientIsClosedQuickly()
    {
        var config = TestGateway.Proxy([Ports.RefusingAddress(), Ports.RefusingAddress()]);
        await using var gateway = await TestGateway.StartAsync(config);
        using var client = await gateway.ConnectAsync("p");

        Assert.True(await SocketIo.ClosedWithinAsync(client, TimeSpan.FromSeconds(5)), "client was left hanging");
    }

    [Fact]
    public async Task RouteLimit_RefusesTheConnectionBeyondIt_AndAcceptsAgainAfterOneCloses()
    {
        await using var backend = TestBackend.Echo();
        var config = TestGateway.Proxy([backend.Address], r => r with { MaxConnections = 3 });
        await using var gateway = await TestGateway.StartAsync(config);
        var ping = "x"u8.ToArray();

        var held = new List<Socket>();
        for (var i = 0; i < 3; i++)
        {
            var s = await gateway.ConnectAsync("p");
            await s.SendAsync(ping);
            await SocketIo.ReadExactlyAsync(s, 1, Timeout);
            held.Add(s);
        }

        using var refused = await gateway.ConnectAsync("p");
        Assert.True(await SocketIo.ClosedWithinAsync(refused, Timeout), "fourth connection was not refused");

        held[0].Dispose();
        await Poll.UntilAsync(() => gateway.Gateway.ActiveConnections == 2, "the closed connection is released", Timeout);
        using var again = await gateway.ConnectAsync("p");
        await again.SendAsync(ping);
        Assert.Equal(ping, await SocketIo.ReadExactlyAsync(again, 1, Timeout));

        foreach (var s in held)
        {
            s.Dispose();
        }
    }
}
