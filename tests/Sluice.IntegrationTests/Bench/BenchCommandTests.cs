using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Bench;

/// <summary>
/// Each `sluice bench` mode, run briefly through the real binary against a counting echo: the
/// counts in its JSON are exact and agree with what the server saw. Nothing here asserts on speed.
/// </summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Rr_WithCount_SendsExactlyThatManyRequests_AndEveryEchoMatches()
    {
        await using var echo = new CountingEcho();

        var (code, output, result) = await BenchRun.RunAsync("rr", echo.Address, "-c", "4", "-n", "1000", "-s", "100");

        Assert.True(code == 0, output);
        var r = result!.Value;
        Assert.Equal(1000, r.GetProperty("requests").GetInt64());
        Assert.Equal(1000, r.GetProperty("latency").GetProperty("count").GetInt64());
        Assert.Equal(0, r.GetProperty("errors").GetInt64());
        Assert.Equal(4, echo.Accepted);
        Assert.Equal(1000 * 100, echo.BytesReceived);
    }

    [Fact]
    public async Task Rr_AtARate_SendsExactlyTheCount_AndCannotFinishBeforeTheSchedule()
    {
        await using var echo = new CountingEcho();

        // 400 requests at 2,000/s: the last one is due 0.1995 s after the start.
        var (code, output, result) = await BenchRun.RunAsync("rr", echo.Address, "-c", "8", "-n", "400", "--rate", "2000");

        Assert.True(code == 0, output);
        var r = result!.Value;
        Assert.Equal(400, r.GetProperty("requests").GetInt64());
        Assert.Equal(2000, r.GetProperty("targetRate").GetDouble());
        Assert.True(r.GetProperty("elapsedSeconds").GetDouble() >= 0.199, r.ToString());
        Assert.Equal(400 * 64, echo.BytesReceived);
        var latency = r.GetProperty("latency");
        Assert.True(latency.GetProperty("p50Ms").GetDouble() <= latency.GetProperty("p99Ms").GetDouble());
        Assert.True(latency.GetProperty("p99Ms").GetDouble() <= latency.GetProperty("maxMs").GetDouble());
    }

    [Fact]
    public async Task Rr_AgainstAServerThatAltersTheEcho_ReportsTheMismatch_AndExitsTwo()
    {
        await using var bad = new CountingEcho(corrupt: true);

        var (code, output, result) = await BenchRun.RunAsync("rr", bad.Address, "-c", "1", "-n", "10");

        Assert.Equal(2, code);
        Assert.Contains("not the echo", output, StringComparison.Ordinal);
        Assert.Equal(1, result!.Value.GetProperty("errors").GetInt64());
        Assert.Equal(0, result.Value.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task Churn_WithCount_MakesExactlyThatManyConnections_EachEchoed()
    {
        await using var echo = new CountingEcho();

        var (code, output, result) = await BenchRun.RunAsync("churn", echo.Address, "-c", "8", "-n", "200", "-s", "10");

        Assert.True(code == 0, output);
        var r = result!.Value;
        Assert.Equal(200, r.GetProperty("connectionsCompleted").GetInt64());
        Assert.Equal(200, r.GetProperty("connectLatency").GetProperty("count").GetInt64());
        Assert.Equal(0, r.GetProperty("errors").GetInt64());
        Assert.Equal(200, echo.Accepted);
        Assert.Equal(200 * 10, echo.BytesReceived);
    }

    [Fact]
    public async Task Hold_OpensAndChecksEveryConnection_AndReadsTheRssOfTheGivenProcess()
    {
        await using var echo = new CountingEcho();

        var (code, output, result) = await BenchRun.RunAsync("hold", echo.Address, "-c", "300", "--pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--settle", "0s");

        Assert.True(code == 0, output);
        var r = result!.Value;
        Assert.Equal(300, r.GetProperty("held").GetInt32());
        Assert.Equal(300, echo.Accepted);
        Assert.Equal(300, echo.BytesReceived); // one probe byte per connection
        var before = r.GetProperty("rssBeforeBytes").GetInt64();
        var after = r.GetProperty("rssAfterBytes").GetInt64();
        Assert.True(before > 0 && after > 0, r.ToString());
        Assert.Equal((after - before) / 300.0, r.GetProperty("rssPerConnectionBytes").GetDouble(), 3);
        Assert.Equal([Environment.ProcessId], r.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
    }

    [Fact]
    public async Task Hold_WithWarmup_ClosesTheWarmupConnections_AndHoldsExactlyN()
    {
        await using var echo = new CountingEcho();

        var (code, output, result) = await BenchRun.RunAsync("hold", echo.Address, "-c", "50", "--warmup", "20", "--settle", "0s");

        Assert.True(code == 0, output);
        Assert.Equal(50, result!.Value.GetProperty("held").GetInt32());
        Assert.Equal(70, echo.Accepted);
        Assert.Equal(70, echo.BytesReceived);
    }

    [Fact]
    public async Task Stream_Both_ReceivesBackEveryByteItSent()
    {
        await using var echo = new CountingEcho();

        var (code, output, result) = await BenchRun.RunAsync("stream", echo.Address, "-c", "3", "--bytes", "10m");

        Assert.True(code == 0, output);
        var r = result!.Value;
        Assert.Equal(10L << 20, r.GetProperty("bytesSent").GetInt64());
        Assert.Equal(10L << 20, r.GetProperty("bytesReceived").GetInt64());
        Assert.Equal(10L << 20, echo.BytesReceived);
        Assert.Equal(3, echo.Accepted);
    }

    [Fact]
    public async Task Stream_Up_ToASink_SendsTheBytesTheServerCounts()
    {
        await using var sink = new CountingEcho(echo: false);

        var (code, output, result) = await BenchRun.RunAsync("stream", sink.Address, "-c", "2", "--bytes", "3000001", "--direction", "up", "--chunk", "16k");

        Assert.True(code == 0, output);
        var r = result!.Value;
        Assert.Equal(3000001, r.GetProperty("bytesSent").GetInt64());
        Assert.Equal(0, r.GetProperty("bytesReceived").GetInt64());
        Assert.Equal(3000001, sink.BytesReceived);
    }

    [Theory]
    [InlineData("rr")]
    [InlineData("stream")]
    [InlineData("churn")]
    [InlineData("hold")]
    public async Task UnreachableTarget_ExitsOne_NamingTheTargetAndTheReason(string mode)
    {
        var refusing = Ports.RefusingAddress();

        var (code, output, result) = await BenchRun.RunAsync(mode, refusing, "-c", "2");

        Assert.Equal(1, code);
        Assert.Contains($"cannot connect to {refusing}", output, StringComparison.Ordinal);
        Assert.Contains("refused", output, StringComparison.OrdinalIgnoreCase);
        Assert.Null(result);
    }

    [Theory]
    [InlineData("--size", "0", "--size: \"0\" is not a size")]
    [InlineData("--duration", "soon", "--duration: \"soon\" is not a duration")]
    [InlineData("--connections", "0", "--connections must be at least 1")]
    [InlineData("--rate", "-5", "--rate must be above 0")]
    public async Task BadArgument_IsRefused_NamingTheOption(string option, string value, string named)
    {
        var (code, output, _) = await BenchRun.RunAsync("rr", "127.0.0.1:9", option, value);

        // The error line itself, not just the option's name (the help printed after a parse
        // error names every option).
        Assert.Equal(1, code);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetWithoutPort_IsRefused_WithTheAddressRule()
    {
        var (code, output, _) = await BenchRun.RunAsync("churn", "localhost", "-n", "1");

        Assert.Equal(1, code);
        Assert.Contains("has no port", output, StringComparison.Ordinal);
    }

}
