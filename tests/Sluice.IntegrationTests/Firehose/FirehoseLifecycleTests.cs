using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Client;
using Sluice.Configuration;
using Sluice.Hosting;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Firehose;

public sealed class FirehoseLifecycleTests
{
    [Fact]
    public async Task Reload_WithTheSameFirehose_KeepsItsSessionsAndMasterLink()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var echo = FirehoseEndToEndTests.EchoAsync(bed.Master, cts.Token);
        await using var client = await bed.ConnectAsync();
        var before = bed.Service;
        var config = bed.Gateway.Gateway.Config;

        // A new config object with equal values (lists are new instances, as a reload makes them).
        var reloaded = config with { Firehoses = [config.Firehoses[0] with { Listen = [.. config.Firehoses[0].Listen] }] };
        Assert.Empty(await bed.Gateway.Gateway.ApplyAsync(reloaded));

        Assert.Same(before, bed.Service);
        await client.SendAsync("still"u8.ToArray());
        Assert.Equal("still"u8.ToArray(), await client.ReceiveAsync(cts.Token));
        Assert.Equal(0, client.Resumes);
        cts.Cancel();
        await echo;
    }

    [Fact]
    public async Task Reload_WithoutTheFirehose_ClosesItsClientsAndMasterLink()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        await using var client = await bed.ConnectAsync(new FirehoseClientOptions { ResumeTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.Empty(await bed.Gateway.Gateway.ApplyAsync(new SluiceConfig()));

        Assert.Null(bed.Gateway.Gateway.Firehose("f"));
        Assert.Equal(FirehoseEventKind.GatewayDisconnected, (await bed.NextAsync(FirehoseEventKind.GatewayDisconnected)).Kind);
        await Assert.ThrowsAsync<FirehoseException>(async () => await client.ReceiveAsync().AsTask().WaitAsync(Poll.DefaultTimeout));
    }

    [Fact]
    public async Task Drain_ClosesFirehoseClients_AndStopsAccepting()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        var endPoint = bed.EndPoint;
        using var raw = await RawFirehoseClient.ConnectNewAsync(endPoint);
        await bed.Gateway.Gateway.DrainAsync(TimeSpan.FromSeconds(1));
        Assert.True(await raw.ClosedByPeerAsync(Poll.DefaultTimeout));
        await Assert.ThrowsAnyAsync<Exception>(() => RawFirehoseClient.OpenAsync(endPoint));
    }

    [Fact]
    public async Task KeyFile_KeepsTheGatewayPublicKeyAcrossRestarts()
    {
        using var dir = new TempDirectory();
        var keyFile = Path.Combine(dir.Path, "gateway.key");
        await using var master = FirehoseMaster.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        var config = new SluiceConfig
        {
            Firehoses =
            [
                new FirehoseConfig { Name = "f", Listen = [TestGateway.Loopback0], Master = new HostPort("127.0.0.1", master.LocalEndPoint.Port), KeyFile = keyFile },
            ],
        };

        byte[] first;
        await using (var gateway = await TestGateway.StartAsync(config))
        {
            using var client = await RawFirehoseClient.ConnectNewAsync(gateway.EndPoint("f"));
            first = client.GatewayKey;
        }

        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        await using (var gateway = await TestGateway.StartAsync(config))
        {
            using var client = await RawFirehoseClient.ConnectNewAsync(gateway.EndPoint("f"));
            Assert.Equal(first, client.GatewayKey);
        }
    }

    [Fact]
    public async Task KeyFile_Unreadable_RefusesTheConfigWithTheReason()
    {
        using var dir = new TempDirectory();
        var keyFile = Path.Combine(dir.Path, "bad.key");
        await File.WriteAllTextAsync(keyFile, "not hex");
        await using var gateway = new Gateway(NullLoggerFactory.Instance);
        var errors = await gateway.ApplyAsync(new SluiceConfig
        {
            Firehoses = [new FirehoseConfig { Name = "f", Listen = [TestGateway.Loopback0], Master = new HostPort("127.0.0.1", 1), KeyFile = keyFile }],
        });
        var error = Assert.Single(errors);
        Assert.Contains("64 hex digits", error, StringComparison.Ordinal);
    }
}
