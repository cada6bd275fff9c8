using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Proxy;

public sealed class AccessLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ClosedConnection_GetsOneAccessLogLine_WithRouteUpstreamBytesAndReason()
    {
        await using var backend = TestBackend.Echo();
        using var capture = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]), loggers);

        using (var client = await gateway.ConnectAsync("p"))
        {
            await client.SendAsync(new byte[1000]);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(1000, (await SocketIo.ReadToEndAsync(client, Timeout)).Length);
        }

        await Poll.UntilAsync(() => capture.Entries.Any(e => e.Category == "Sluice.Access"), "an access-log line", Timeout);
        var line = Assert.Single(capture.Entries, e => e.Category == "Sluice.Access").Message;
        Assert.Contains("route=p ", line, StringComparison.Ordinal);
        Assert.Contains($"upstream={backend.Address} ", line, StringComparison.Ordinal);
        Assert.Contains("bytes_in=1000 bytes_out=1000", line, StringComparison.Ordinal);
        Assert.Contains("reason=completed", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessLogOff_NoLinePerConnection()
    {
        await using var backend = TestBackend.Echo();
        using var capture = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        var config = TestGateway.Proxy([backend.Address]);
        config = config with { Server = config.Server with { AccessLog = false } };
        await using var gateway = await TestGateway.StartAsync(config, loggers);

        using (var client = await gateway.ConnectAsync("p"))
        {
            await client.SendAsync(new byte[10]);
            client.Shutdown(SocketShutdown.Send);
            await SocketIo.ReadToEndAsync(client, Timeout);
        }

        // The route's active count drops only after the access-log line would have been written.
        await Poll.UntilAsync(() => gateway.Gateway.Metrics.ForRoute("p").Active == 0, "the connection is closed", Timeout);
        Assert.Equal(1, gateway.Gateway.Metrics.ForRoute("p").Total);
        Assert.DoesNotContain(capture.Entries, e => e.Category == "Sluice.Access");
    }
}
