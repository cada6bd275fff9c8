using System.Net;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Configuration;
using Sluice.Firehose;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Firehose;

/// <summary>An SDK master on an ephemeral port and an in-process gateway whose firehose "f" dials it.</summary>
internal sealed class FirehoseTestBed : IAsyncDisposable
{
    private FirehoseTestBed(TestGateway gateway, FirehoseMaster master, CapturingLoggerProvider logs, ILoggerFactory loggers)
    {
        Gateway = gateway;
        Master = master;
        Logs = logs;
        Loggers = loggers;
    }

    public TestGateway Gateway { get; }

    public FirehoseMaster Master { get; private set; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory Loggers { get; }

    public FirehoseService Service => Gateway.Gateway.Firehose("f")!;

    public IPEndPoint EndPoint => Gateway.EndPoint("f");

    public static async Task<FirehoseTestBed> StartAsync(Func<FirehoseConfig, FirehoseConfig>? configure = null)
    {
        var master = FirehoseMaster.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        var config = new FirehoseConfig
        {
            Name = "f",
            Listen = [TestGateway.Loopback0],
            Master = new HostPort("127.0.0.1", master.LocalEndPoint.Port),
        };
        var logs = new CapturingLoggerProvider();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var gateway = await TestGateway.StartAsync(new SluiceConfig { Firehoses = [configure is null ? config : configure(config)] }, loggers);
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        await master.WaitForGatewayAsync(timeout.Token);
        Assert.Equal(FirehoseEventKind.GatewayConnected, (await master.ReceiveAsync(timeout.Token)).Kind);
        return new FirehoseTestBed(gateway, master, logs, loggers);
    }

    public Task<FirehoseClient> ConnectAsync(FirehoseClientOptions? options = null) => FirehoseClient.ConnectAsync(EndPoint, options);

    /// <summary>Replaces the master with a new one on the same port (a master restart).</summary>
    public async Task RestartMasterAsync()
    {
        var port = Master.LocalEndPoint.Port;
        await Master.DisposeAsync();
        Master = FirehoseMaster.Listen(new IPEndPoint(IPAddress.Loopback, port));
    }

    /// <summary>The next event of <paramref name="kind"/>, skipping others; fails after the poll timeout.</summary>
    public async Task<FirehoseMasterEvent> NextAsync(FirehoseEventKind kind)
    {
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        while (true)
        {
            var item = await Master.ReceiveAsync(timeout.Token);
            if (item.Kind == kind)
            {
                return item;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Master.DisposeAsync();
        Loggers.Dispose();
    }
}
