using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Proxy;

/// <summary>
/// The pump's promise: no allocation per forwarded chunk once a connection is running. Measured
/// in a real sluice process (its own runtime counter, read over /metrics), so the test runner's
/// allocations don't blur it; the client here allocates nothing per message either way.
/// </summary>
public sealed partial class SteadyStateAllocationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ForwardingTensOfThousandsOfChunks_AllocatesNothingPerChunk()
    {
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", """
            [admin]
            listen = "127.0.0.1:0"

            [[echo]]
            name = "echo"
            listen = "127.0.0.1:0"

            [[proxy]]
            name = "p"
            listen = "127.0.0.1:0"
            cluster = "c"

            [[cluster]]
            name = "c"
            upstreams = ["127.0.0.1:1"]
            """);

        // The echo's port is known only once it listens; a reload points the cluster at it.
        await using var sluice = SluiceProcess.Start(dir.Path, "run", "-c", config);
        var echo = await sluice.ListeningAsync("echo", Timeout);
        await sluice.WaitForOutputAsync("watching", Timeout);
        File.WriteAllText(config, File.ReadAllText(config).Replace("127.0.0.1:1\"", $"127.0.0.1:{echo.Port}\"", StringComparison.Ordinal));
        await sluice.WaitForOutputAsync("reloaded", Timeout);
        var proxy = await sluice.ListeningAsync("p", Timeout);
        var admin = (await sluice.WaitForOutputAsync("Admin endpoint listening on (http://\\S+)", Timeout)).Groups[1].Value;
        using var http = new HttpClient { BaseAddress = new Uri(admin) };

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(proxy);
        var message = new byte[1024];
        var reply = new byte[1024];

        // Warm up: JIT and tiering, pool buckets, the sockets' cached awaitables, the scrape path.
        await RoundTrips(client, message, reply, 5000);
        await AllocatedBytes(http);
        var idleStart = await AllocatedBytes(http);
        var idleEnd = await AllocatedBytes(http);
        var scrapeCost = idleEnd - idleStart;

        const int count = 30_000;
        var before = await AllocatedBytes(http);
        await RoundTrips(client, message, reply, count);
        var after = await AllocatedBytes(http);

        // A round trip is three forwarded chunks (client→upstream, the echo, upstream→client).
        // One object per chunk is ≥ 72 bytes per round trip (measured: 78 with a single
        // `new object()` in the pump); the clean pump measured ~4, all of it background work
        // (timers, tiered JIT) over the run's second or two, not per chunk.
        var perRoundTrip = (double)(after - before - scrapeCost) / count;
        Assert.True(perRoundTrip < 16, $"{after - before} bytes allocated over {count} round trips (scrape alone: {scrapeCost}): {perRoundTrip:F2} per round trip");
    }

    private static async Task<long> AllocatedBytes(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics");
        var match = AllocatedMetric().Match(text);
        Assert.True(match.Success, "no dotnet_gc_heap_total_allocated_bytes_total in /metrics");
        return (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task RoundTrips(Socket client, byte[] message, byte[] reply, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await client.SendAsync(message.AsMemory(), SocketFlags.None);
            var read = 0;
            while (read < reply.Length)
            {
                var n = await client.ReceiveAsync(reply.AsMemory(read), SocketFlags.None);
                if (n == 0)
                {
                    throw new EndOfStreamException("the proxy closed the connection");
                }

                read += n;
            }
        }
    }

    [GeneratedRegex(@"^dotnet_gc_heap_total_allocated_bytes_total(?:\{\})? ([0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex AllocatedMetric();
}
