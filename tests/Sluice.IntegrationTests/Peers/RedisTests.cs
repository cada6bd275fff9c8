using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Peers;

/// <summary>A real redis-server behind a Sluice route, driven by real Redis clients.</summary>
public sealed class RedisTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task RedisCli_WorksThroughTheProxy()
    {
        var redisServer = Peer.Require("redis-server", "redis-server");
        var redisCli = Peer.Require("redis-cli", "redis-tools");
        await using var redis = await RedisServer.StartAsync(redisServer);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([redis.Address]));
        var port = gateway.EndPoint("p").Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal("OK", (await Run(redisCli, "-h", "127.0.0.1", "-p", port, "SET", "greeting", "hello through sluice")).Trim());
        Assert.Equal("hello through sluice", (await Run(redisCli, "-h", "127.0.0.1", "-p", port, "GET", "greeting")).Trim());

        // A pipeline of many commands on one connection arrives intact and in order.
        var pipeline = new StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            pipeline.Append(System.Globalization.CultureInfo.InvariantCulture, $"RPUSH order {i}\n");
        }

        await Run(redisCli, pipeline.ToString(), "-h", "127.0.0.1", "-p", port);
        var list = (await Run(redisCli, "-h", "127.0.0.1", "-p", port, "LRANGE", "order", "0", "-1")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), list);
    }

    [SkippableFact]
    public async Task OneOfTwoRedisServersKilled_RetriedCommandsAllSucceed_HealthShowsDownThenUp()
    {
        var redisServer = Peer.Require("redis-server", "redis-server");
        await using var first = await RedisServer.StartAsync(redisServer);
        await using var second = await RedisServer.StartAsync(redisServer);
        var config = TestGateway.Proxy(
            [first.Address, second.Address],
            r => r with { ConnectAttempts = 2, ConnectTimeout = TimeSpan.FromSeconds(1) },
            c => c with
            {
                // Checks loose enough that a loaded machine never fails the live server.
                Health = new HealthCheckConfig { Interval = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromMilliseconds(500), Rise = 2, Fall = 2, Send = "PING\r\n", Expect = "+PONG" },
            });
        await using var gateway = await TestGateway.StartAsync(config);
        var endpoint = gateway.EndPoint("p");
        var upstreamOfFirst = gateway.Gateway.Clusters["c"].Upstreams.Single(u => u.Address.Port == first.Port);

        // Each command runs on a fresh connection; when one fails (its server died under it),
        // the client retries on a new connection, as a pooled client would.
        var retries = 0;
        var killed = false;
        for (var i = 0; i < 400; i++)
        {
            if (i == 150)
            {
                await first.KillAsync();
                killed = true;
            }

            var key = $"k{i}";
            var value = $"v{i}";
            Exception? lastError = null;
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 10, $"command {i} failed 10 times; last: {lastError}");
                try
                {
                    using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await s.ConnectAsync(endpoint);
                    Assert.Equal("+OK", await Command(s, $"SET {key} {value}"));
                    Assert.Equal(value, await Command(s, $"GET {key}"));
                    break;
                }
                catch (Exception ex) when (ex is SocketException or EndOfStreamException or IOException && killed)
                {
                    lastError = ex;
                    retries++;
                    await Task.Delay(20);
                }
            }
        }

        Assert.True(retries <= 10, $"{retries} retries: the dead server kept getting traffic");
        await Poll.UntilAsync(() => !upstreamOfFirst.IsHealthy, "killed redis marked down", Timeout);

        await first.StartAsync();
        await Poll.UntilAsync(() => upstreamOfFirst.IsHealthy, "restarted redis marked up", Timeout);
    }

    private static async Task<string> Command(Socket socket, string inline)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(inline + "\r\n"));
        var line = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var n = await socket.ReceiveAsync(one, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                throw new EndOfStreamException("redis connection closed");
            }

            if (one[0] == '\n')
            {
                var text = line.ToString().TrimEnd('\r');
                if (text.StartsWith('$'))
                {
                    // Bulk reply: the value follows on its own line.
                    var length = int.Parse(text.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                    var payload = await SocketIo.ReadExactlyAsync(socket, length + 2, Timeout);
                    return Encoding.ASCII.GetString(payload, 0, length);
                }

                return text;
            }

            line.Append((char)one[0]);
        }
    }

    private static async Task<string> Run(string binary, params string[] args)
    {
        // A first argument with newlines is a script for stdin (redis-cli reads commands there).
        string? stdin = null;
        if (args.Length > 0 && args[0].Contains('\n', StringComparison.Ordinal))
        {
            stdin = args[0];
            args = args[1..];
        }

        var (code, output) = await ProcessRunner.RunAsync(binary, args, stdin);
        Assert.True(code == 0, $"{binary} {string.Join(' ', args)} exited {code}: {output}");
        return output;
    }
}
