using System.Net.Sockets;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

public sealed class FileDescriptorExhaustionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OutOfFileDescriptors_AcceptLoopBacksOffWithoutSpinning_AndServesAgainAfterwards()
    {
        await using var backend = TestBackend.Echo();
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", $"""
            [[proxy]]
            name = "fd"
            listen = "127.0.0.1:0"
            cluster = "echo"

            [[cluster]]
            name = "echo"
            upstreams = ["{backend.Address}"]
            """);
        await using var sluice = SluiceProcess.Start(dir.Path, fileLimit: 160, "run", "-c", config);
        var endpoint = await sluice.ListeningAsync("fd", Timeout);

        // Far more connections than 160 descriptors allow (each proxied one takes two).
        var clients = new List<Socket>();
        for (var i = 0; i < 150; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(endpoint);
            clients.Add(s);
        }

        await sluice.WaitForOutputAsync("TooManyOpenSockets", Timeout);
        var cpuBefore = sluice.CpuTime;
        await Task.Delay(2000);
        var cpuUsed = sluice.CpuTime - cpuBefore;

        // A spinning accept loop burns a whole core (~2 s here); backing off costs almost nothing.
        Assert.True(cpuUsed < TimeSpan.FromMilliseconds(700), $"sluice used {cpuUsed.TotalMilliseconds} ms of CPU in 2 s while out of descriptors");
        Assert.False(sluice.HasExited, "sluice died when out of descriptors");

        foreach (var s in clients)
        {
            s.Dispose();
        }

        // Once descriptors are free again, new connections are served.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(endpoint);
                await s.SendAsync("ok"u8.ToArray());
                Assert.Equal("ok"u8.ToArray(), await SocketIo.ReadExactlyAsync(s, 2, TimeSpan.FromSeconds(3)));
                break;
            }
            catch (Exception) when (watch.Elapsed < Timeout)
            {
                await Task.Delay(200);
            }
        }
    }
}
