using Sluice.Benchmarks.Report;

namespace Sluice.IntegrationTests.Bench;

/// <summary>compare.sh's parsers on the tools' real output (captured on this machine), and on the ways it varies; no sockets.</summary>
public sealed class RawOutputParserTests
{
    [Fact]
    public void RedisCsv_TakesColumnsByName()
    {
        const string csv = """
            "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            "GET","28901.73","1.547","0.088","1.247","3.623","5.751","7.071"
            """;

        var values = RawOutputParser.ParseRedisCsv(csv).ToDictionary(v => v.Item1, v => v.Item2);

        Assert.Equal(28901.73, values["rps"]);
        Assert.Equal(1.247, values["p50"]);
        Assert.Equal(5.751, values["p99"]);
    }

    [Fact]
    public void ProxyCpu_IsMicrosecondsPerRequest()
    {
        // 170 ticks of 1/100 s over 100,000 requests: 17 µs each.
        var values = RawOutputParser.ParseProxyCpu("cpu_ticks=170\nclk_tck=100\nrequests=100000\n").ToDictionary(v => v.Item1, v => v.Item2);

        Assert.Equal(17.0, values["cpu_us"], 6);
    }

    [Fact]
    public void ProxyCpu_WithoutARequestCount_NamesTheMissingField()
    {
        var ex = Assert.Throws<FormatException>(() => RawOutputParser.ParseProxyCpu("cpu_ticks=170\nclk_tck=100\n"));
        Assert.Contains("requests", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RedisCsv_WithoutTheLatencyColumns_NamesTheMissingColumn()
    {
        const string old = "\"test\",\"rps\"\n\"GET\",\"1000.00\"\n";

        var ex = Assert.Throws<FormatException>(() => RawOutputParser.ParseRedisCsv(old));
        Assert.Contains("p50_latency_ms", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrk_ReadsRequestsPerSecond_AndPercentilesInTheirUnits_AndSumsErrors()
    {
        const string text = """
            Running 1s test @ http://127.0.0.1:24401/
              2 threads and 50 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.80ms    2.20ms  22.22ms   88.44%
                Req/Sec    18.57k     9.13k   36.53k    57.14%
              Latency Distribution
                 50%  810.00us
                 75%    2.24ms
                 90%    4.35ms
                 99%    1.10s
              38861 requests in 1.13s, 6.56MB read
              Socket errors: connect 0, read 3, write 1, timeout 2
              Non-2xx or 3xx responses: 4
            Requests/sec:  34428.35
            Transfer/sec:      5.81MB
            """;

        var values = RawOutputParser.ParseWrk(text).ToDictionary(v => v.Item1, v => v.Item2);

        Assert.Equal(34428.35, values["rps"]);
        Assert.Equal(0.81, values["p50"], 6);
        Assert.Equal(1100, values["p99"], 6);
        Assert.Equal(10, values["errors"]);
    }

    [Fact]
    public void Wrk_WithoutLatencyDistribution_SaysToUseLatency()
    {
        var ex = Assert.Throws<FormatException>(() => RawOutputParser.ParseWrk("Requests/sec:  100.0\n"));
        Assert.Contains("--latency", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ab_ReadsRequestsPerSecond_FailedRequests_AndP99()
    {
        const string text = """
            Complete requests:      2000
            Failed requests:        7
            Requests per second:    5712.59 [#/sec] (mean)
            Time per request:       8.753 [ms] (mean)

            Percentage of the requests served within a certain time (ms)
              50%      7
              99%     25
             100%     28 (longest request)
            """;

        var values = RawOutputParser.ParseAb(text).ToDictionary(v => v.Item1, v => v.Item2);

        Assert.Equal(5712.59, values["cps"]);
        Assert.Equal(7, values["errors"]);
        Assert.Equal(25, values["p99"]);
    }

    [Fact]
    public void Iperf_ReadsWhatArrived_InGbitPerSecond()
    {
        const string json = """{"start":{},"intervals":[],"end":{"sum_sent":{"bits_per_second":9.9e9},"sum_received":{"bits_per_second":7.5e9}}}""";

        Assert.Equal(7.5, RawOutputParser.ParseIperf(json).Single().Item2, 6);
    }

    [Fact]
    public void Iperf_Error_IsReportedAsSuch()
    {
        var ex = Assert.Throws<FormatException>(() => RawOutputParser.ParseIperf("""{"start":{},"intervals":[],"end":{},"error":"unable to connect to server: Connection refused"}"""));
        Assert.Contains("Connection refused", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SluiceBench_HoldAndRr_AreReadFromTheirJson()
    {
        var hold = RawOutputParser.ParseSluiceBench("""{"mode":"hold","held":6000,"rssPerConnectionBytes":5087.3,"errors":0}""").ToDictionary(v => v.Item1, v => v.Item2);
        var rr = RawOutputParser.ParseSluiceBench("""{"mode":"rr","requestsPerSecond":9991.2,"latency":{"count":10,"p50Ms":0.2,"p90Ms":0.3,"p99Ms":0.9,"p999Ms":1.5,"maxMs":2},"errors":1}""").ToDictionary(v => v.Item1, v => v.Item2);

        Assert.Equal(5087.3, hold["rss"]);
        Assert.Equal(6000, hold["held"]);
        Assert.Equal(0.9, rr["p99"]);
        Assert.Equal(1.5, rr["p999"]);
        Assert.Equal(1, rr["errors"]);
    }

    [Fact]
    public void ParseDirectory_ListsUnreadableFiles_AndKeepsTheRest()
    {
        using var dir = new Infrastructure.TempDirectory();
        dir.File("ab.sluice.0.txt", "Requests per second:    100.5 [#/sec] (mean)\nFailed requests: 0\n");
        dir.File("ab.sluice.1.txt", "apr_socket_recv: Connection reset by peer (104)\n");
        dir.File("ab.sluice.2.txt", "Requests per second:    300.5 [#/sec] (mean)\nFailed requests: 0\n");
        dir.File("ab.sluice.1.err", "ignored");
        var problems = new List<string>();

        var cps = RawOutputParser.ParseDirectory(dir.Path, problems).Where(m => m.Metric == "cps").ToList();

        Assert.Equal([100.5, 300.5], cps.Select(m => m.Value));
        Assert.Equal(200.5, new MedianTable(cps).Get("ab", "cps", "sluice"));
        Assert.Single(problems);
        Assert.Contains("ab.sluice.1.txt", problems[0], StringComparison.Ordinal);
    }
}
