using System.Globalization;
using System.Text.RegularExpressions;
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

    [GeneratedRegex(@"direct\s+([\d,]+) msg/s echoed")]
    private static partial Regex EchoedRate();
}
