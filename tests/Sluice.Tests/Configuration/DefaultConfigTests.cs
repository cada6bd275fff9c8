using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

public sealed class DefaultConfigTests
{
    [Fact]
    public void Text_LoadsWithoutErrors()
    {
        var result = ConfigLoader.Parse(DefaultConfig.Text, "default.sluice.toml");

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Text_IsTheLoopbackDemo()
    {
        var config = ConfigLoader.Parse(DefaultConfig.Text, "default.sluice.toml").Config!;

        Assert.Equal(new HostPort("127.0.0.1", 9901), config.Admin?.Listen);
        Assert.Equal(
            [new HostPort("127.0.0.1", 9001), new HostPort("127.0.0.1", 9002)],
            config.Echoes.SelectMany(e => e.Listen));
        var proxy = Assert.Single(config.Proxies);
        Assert.Equal(("demo", "echo"), (proxy.Name, proxy.Cluster));
        Assert.Equal([new HostPort("127.0.0.1", 9000)], proxy.Listen);
        var cluster = Assert.Single(config.Clusters);
        Assert.Equal(BalancePolicyKind.RoundRobin, cluster.Balance);
        Assert.Equal(
            config.Echoes.SelectMany(e => e.Listen),
            cluster.Upstreams.Select(u => u.Address));
        Assert.Equal(("ping\n", "ping"), (cluster.Health?.Send, cluster.Health?.Expect));
    }

    [Theory]
    [InlineData("max_connections")]
    [InlineData("connect_timeout")]
    [InlineData("idle_timeout")]
    [InlineData("connect_attempts")]
    [InlineData("least_connections")]
    [InlineData("source_hash")]
    [InlineData("weight")]
    [InlineData("[cluster.passive]")]
    [InlineData("max_failures")]
    [InlineData("ejection_time")]
    public void Text_ShowsKeysANewcomerMightNotKnow(string key) =>
        Assert.Contains(key, DefaultConfig.Text, StringComparison.Ordinal);

    [Fact]
    public void WriteTo_NewFile_WritesTextThatLoads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sluice-{Guid.NewGuid():N}.toml");
        try
        {
            DefaultConfig.WriteTo(path);

            var result = ConfigLoader.Load(path);
            Assert.Empty(result.Errors);
            Assert.Equal(path, result.Config?.SourcePath);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WriteTo_ExistingFile_RefusesAndKeepsIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sluice-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, "# mine\n");
        try
        {
            var error = Assert.Throws<IOException>(() => DefaultConfig.WriteTo(path));

            Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
            Assert.Equal("# mine\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
