using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

public sealed class CheckCommandTests
{
    [Fact]
    public async Task ValidConfig_ExitsZero_WithOneLineSummary()
    {
        using var dir = new TempDirectory();
        var config = dir.File("ok.toml", """
            [[proxy]]
            name = "redis"
            listen = ["127.0.0.1:6380", "[::1]:6380"]
            cluster = "pool"

            [[cluster]]
            name = "pool"
            upstreams = ["127.0.0.1:6390", { address = "127.0.0.1:6391", weight = 2 }]
            """);

        var (code, output) = await SluiceProcess.RunAsync(dir.Path, "check", "-c", config);

        Assert.Equal(0, code);
        Assert.Contains(": ok (", output, StringComparison.Ordinal);
        Assert.Contains("1 proxy routes", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidConfig_ExitsOne_ListingEveryErrorWithFileAndLine()
    {
        using var dir = new TempDirectory();
        var config = dir.File("bad.toml", """
            [[proxy]]
            name = "redis"
            listen = ["127.0.0.1:99999"]
            cluster = "missing"
            connect_timeout = "soon"
            """);

        var (code, output) = await SluiceProcess.RunAsync(dir.Path, "check", "-c", config);

        Assert.Equal(1, code);
        Assert.Contains("bad.toml:3:", output, StringComparison.Ordinal);
        Assert.Contains("bad.toml:4:", output, StringComparison.Ordinal);
        Assert.Contains("bad.toml:5:", output, StringComparison.Ordinal);
        Assert.Contains("missing", output, StringComparison.Ordinal);
        Assert.Contains("99999", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithoutAConfigFile_WritesTheDefault_AndServesTheDemo()
    {
        using var dir = new TempDirectory();
        await using var sluice = SluiceProcess.Start(dir.Path, "run");
        var demo = await sluice.ListeningAsync("demo", TimeSpan.FromSeconds(30));

        Assert.True(File.Exists(Path.Combine(dir.Path, "sluice.toml")));
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await client.ConnectAsync(demo);
        var hello = "hello through the demo\n"u8.ToArray();
        await client.SendAsync(hello);
        Assert.Equal(hello, await SocketIo.ReadExactlyAsync(client, hello.Length, TimeSpan.FromSeconds(10)));

        var (code, output) = await SluiceProcess.RunAsync(dir.Path, "check");
        Assert.Equal(0, code);
        Assert.Contains(": ok (", output, StringComparison.Ordinal);
    }
}
