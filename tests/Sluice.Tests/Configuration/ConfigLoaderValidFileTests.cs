using System.Net;
using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

public sealed class ConfigLoaderValidFileTests
{
    private const string EveryKey = """
        [server]
        log_level = "debug"
        log_format = "json"
        shutdown_timeout = "45s"
        max_connections = 1234
        access_log = false

        [admin]
        listen = "127.0.0.1:9901"

        [[echo]]
        name = "echo-a"
        listen = ["127.0.0.1:9001", "[::1]:9001"]

        [[echo]]
        listen = "localhost:9002"

        [[proxy]]
        name = "redis"
        listen = ["127.0.0.1:6380", "[::1]:6380"]
        cluster = "redis-pool"
        connect_timeout = "250ms"
        idle_timeout = "0s"
        max_connections = 10
        connect_attempts = 5

        [[cluster]]
        name = "redis-pool"
        balance = "least_connections"
        upstreams = ["127.0.0.1:6390", { address = "127.0.0.1:6391", weight = 2 }, "redis-3.internal:6379"]

        [cluster.health]
        interval = "5s"
        timeout = "1500ms"
        rise = 1
        fall = 4
        send = "PING\r\n"
        expect = "+PONG"

        [cluster.passive]
        max_failures = 0
        ejection_time = "1m"
        """;

    [Fact]
    public void Parse_FileWithEveryKey_LoadsEveryValue()
    {
        var result = ConfigLoader.Parse(EveryKey, "every.toml");

        Assert.Empty(result.Errors);
        Assert.True(result.Succeeded);
        var config = result.Config;
        Assert.Equal(
            new ServerConfig { LogLevel = LogLevelSetting.Debug, LogFormat = LogFormat.Json, ShutdownTimeout = TimeSpan.FromSeconds(45), MaxConnections = 1234, AccessLog = false },
            config.Server);
        Assert.Equal(new HostPort("127.0.0.1", 9901), config.Admin?.Listen);

        Assert.Collection(
            config.Echoes,
            e =>
            {
                Assert.Equal("echo-a", e.Name);
                Assert.Equal([new HostPort("127.0.0.1", 9001), new HostPort("::1", 9001)], e.Listen);
            },
            e =>
            {
                Assert.Equal("echo-1", e.Name);
                Assert.Equal([new HostPort("localhost", 9002)], e.Listen);
            });

        var proxy = Assert.Single(config.Proxies);
        Assert.Equal("redis", proxy.Name);
        Assert.Equal([new HostPort("127.0.0.1", 6380), new HostPort("::1", 6380)], proxy.Listen);
        Assert.Equal(IPAddress.IPv6Loopback, proxy.Listen[1].Ip);
        Assert.Equal("redis-pool", proxy.Cluster);
        Assert.Equal(TimeSpan.FromMilliseconds(250), proxy.ConnectTimeout);
        Assert.Equal(TimeSpan.Zero, proxy.IdleTimeout);
        Assert.Equal(10, proxy.MaxConnections);
        Assert.Equal(5, proxy.ConnectAttempts);

        var cluster = Assert.Single(config.Clusters);
        Assert.Equal("redis-pool", cluster.Name);
        Assert.Equal(BalancePolicyKind.LeastConnections, cluster.Balance);
        Assert.Equal(
            [
                new UpstreamConfig { Address = new HostPort("127.0.0.1", 6390), Weight = 1 },
                new UpstreamConfig { Address = new HostPort("127.0.0.1", 6391), Weight = 2 },
                new UpstreamConfig { Address = new HostPort("redis-3.internal", 6379), Weight = 1 },
            ],
            cluster.Upstreams);
        Assert.Equal(
            new HealthCheckConfig { Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromMilliseconds(1500), Rise = 1, Fall = 4, Send = "PING\r\n", Expect = "+PONG" },
            cluster.Health);
        Assert.Equal(new PassiveHealthConfig { MaxFailures = 0, EjectionTime = TimeSpan.FromMinutes(1) }, cluster.Passive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Parse_EmptyFile_IsValidAndRunsNothing(string text)
    {
        var result = ConfigLoader.Parse(text, "empty.toml");

        Assert.Empty(result.Errors);
        Assert.Equal(new ServerConfig(), result.Config?.Server);
        Assert.Null(result.Config?.Admin);
        Assert.Empty(result.Config!.Proxies);
        Assert.Empty(result.Config.Clusters);
        Assert.Empty(result.Config.Echoes);
    }

    [Fact]
    public void Parse_OmittedOptionalKeys_TakeRecordDefaults()
    {
        var result = ConfigLoader.Parse(
            """
            [[proxy]]
            name = "p"
            listen = "127.0.0.1:0"
            cluster = "c"

            [[cluster]]
            name = "c"
            upstreams = ["10.0.0.1:80"]
            [cluster.health]
            """,
            "defaults.toml");

        Assert.Empty(result.Errors);
        var proxy = Assert.Single(result.Config!.Proxies);
        Assert.Equal(new ProxyRouteConfig { Name = "p", Listen = proxy.Listen, Cluster = "c" }, proxy);
        var cluster = Assert.Single(result.Config.Clusters);
        Assert.Equal(BalancePolicyKind.RoundRobin, cluster.Balance);
        Assert.Equal(new HealthCheckConfig(), cluster.Health);
        Assert.Equal(new PassiveHealthConfig(), cluster.Passive);
    }

    [Fact]
    public void Parse_ClusterWithoutHealthTable_HasNoActiveChecks()
    {
        var result = ConfigLoader.Parse("[[cluster]]\nname = \"c\"\nupstreams = [\"10.0.0.1:80\"]\n", "t.toml");

        Assert.Null(Assert.Single(result.Config!.Clusters).Health);
    }

    [Fact]
    public void Parse_InlineAndDottedTables_MeanTheSameAsHeaders()
    {
        var result = ConfigLoader.Parse(
            """
            server.log_level = "warn"

            [[cluster]]
            name = "c"
            upstreams = ["10.0.0.1:80"]
            health = { interval = "3s", timeout = "3s" }
            passive.max_failures = 7
            """,
            "t.toml");

        Assert.Empty(result.Errors);
        Assert.Equal(LogLevelSetting.Warn, result.Config!.Server.LogLevel);
        var cluster = Assert.Single(result.Config.Clusters);
        Assert.Equal(TimeSpan.FromSeconds(3), cluster.Health?.Interval);
        Assert.Equal(7, cluster.Passive.MaxFailures);
    }

    [Fact]
    public void Parse_SamePortOnDifferentAddressesOrPortZero_IsNotAConflict()
    {
        var result = ConfigLoader.Parse(
            """
            [admin]
            listen = "127.0.0.1:0"
            [[echo]]
            listen = ["127.0.0.1:0", "127.0.0.2:9000", "127.0.0.1:9000"]
            """,
            "t.toml");

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Parse_ExpectWithoutSend_IsAllowedForBannerChecks()
    {
        var result = ConfigLoader.Parse(
            "[[cluster]]\nname = \"ssh\"\nupstreams = [\"10.0.0.1:22\"]\n[cluster.health]\nexpect = \"SSH-2.0\"\n",
            "t.toml");

        Assert.Empty(result.Errors);
        Assert.Null(result.Config!.Clusters[0].Health?.Send);
        Assert.Equal("SSH-2.0", result.Config.Clusters[0].Health?.Expect);
    }
}
