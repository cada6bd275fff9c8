using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.IntegrationTests.Firehose;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Bench;

/// <summary>`sluice bench firehose --target`: the load clients drive a server in another process.</summary>
public sealed partial class FirehoseBenchTargetTests
{
    [Fact]
    public async Task DirectMode_AgainstAnExternalEcho_OpensEveryClient_AndReportsEchoedMessages()
    {
        await using var echo = new CountingEcho();
        using var dir = new TempDirectory();

        var (code, output) = await SluiceProcess.RunAsync(dir.Path, "bench", "firehose", "--target", echo.Address, "--mode", "direct", "-n", "4", "-s", "64", "-w", "2", "-d", "1s", "--warmup", "0s");

        Assert.True(code == 0, output);
        var rate = EchoedRate().Match(output);
        Assert.True(rate.Success, output);
        Assert.True(double.Parse(rate.Groups[1].Value.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture) > 0, output);
        Assert.Equal(4, echo.Accepted);
        Assert.True(echo.BytesReceived >= 4 * 2 * 68, $"{echo.BytesReceived} bytes");
    }

    [Fact]
    public async Task Target_WithModeBoth_IsRefused()
    {
        using var dir = new TempDirectory();

        var (code, output) = await SluiceProcess.RunAsync(dir.Path, "bench", "firehose", "--target", "127.0.0.1:9", "-d", "1s");

        Assert.Equal(1, code);
        Assert.Contains("--target needs --mode gateway or --mode direct", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldFirehose_CompletesEveryHandshake_AndEachClientGetsItsProbeEchoedByTheMaster()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        using var stop = new CancellationTokenSource();
        var echoed = 0;
        var echo = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in bed.Master.ReadAllAsync(stop.Token))
                {
                    if (item.Kind == FirehoseEventKind.Message)
                    {
                        Interlocked.Increment(ref echoed);
                        await bed.Master.SendAsync(item.ClientId, item.Data, stop.Token);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var (code, output, result) = await BenchRun.RunAsync("hold", bed.EndPoint.ToString(), "--firehose", "-c", "40", "--warmup", "5", "--settle", "0s");

        Assert.True(code == 0, output);
        var r = result!.Value;
        Assert.Equal(40, r.GetProperty("held").GetInt32());
        Assert.Equal(0, r.GetProperty("errors").GetInt64());
        Assert.Equal(45, Volatile.Read(ref echoed)); // one probe message per client, warm-up included
        Assert.Equal(45, bed.Service.Sessions.Count); // each a session of its own (stale once the bench exits)
        await stop.CancelAsync();
        await echo;
    }

    [Fact]
    public async Task HoldFirehose_AgainstAPlainEcho_FailsAndSaysWhy()
    {
        await using var echo = new CountingEcho();

        var (code, output, _) = await BenchRun.RunAsync("hold", echo.Address, "--firehose", "-c", "2", "--settle", "0s");

        Assert.NotEqual(0, code);
        Assert.Contains("cannot connect to", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"direct\s+([\d,]+) msg/s echoed")]
    private static partial Regex EchoedRate();
}
