using System.Net.Sockets;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

public sealed class FileDescriptorExhaustionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MoreClientsThanFileDescriptors_ExcessRefused_NoCrashNoSpin_ServesAgainAfterwards()
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
        await using var sluice = SluiceProcess.Start(dir.Path, fileLimit: 300, "run", "-c", config);
        var endpoint = await sluice.ListeningAsync("fd", Timeout);

        // 300 descriptors hold (300 - 200 reserved) / 2 = 50 proxied connections: sluice says so.
        await sluice.WaitForOutputAsync("capped at 50", Timeout);

        // Three times that many clients, each checking it is really proxied.
        var clients = new List<Socket>();
        var served = 0;
        for (var i = 0; i < 150; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(endpoint);
            clients.Add(s);
            try
            {
                await s.SendAsync("x"u8.ToArray());
                if ((await SocketIo.ReadToEndAsync(s, TimeSpan.FromSeconds(2), max: 1)).Length == 1)
                {
                    served++;
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // Refused: closed (or reset) at once.
            }
        }

        Assert.Equal(50, served);
        var cpuBefore = sluice.CpuTime;
        await Task.Delay(2000);
        var cpuUsed = sluice.CpuTime - cpuBefore;

        // A spinning accept loop burns a whole core (~2 s here); an idle one costs almost nothing.
        Assert.True(cpuUsed < TimeSpan.FromMilliseconds(700), $"sluice used {cpuUsed.TotalMilliseconds} ms of CPU in 2 s at its limit");
        Assert.False(sluice.HasExited, "sluice died at its descriptor limit");
        Assert.Contains("reason=process_limit", sluice.Output, StringComparison.Ordinal);

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
