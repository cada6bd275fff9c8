namespace Sluice.Benchmarks.Report;

/// <summary>
/// One line of the results table: which workload and metric, how it reads, and issue 6's goal for
/// Sluice when there is one (against a peer's median, or an absolute bound).
/// </summary>
internal sealed record MetricRow(string Workload, string Metric, string Title, string Format, bool HigherIsBetter)
{
    /// <summary>"haproxy", "nginx" (the better of the two nginx configurations) or null.</summary>
    public string? GoalPeer { get; init; }

    /// <summary>Sluice / peer must be at least this (higher is better) or at most this (lower is better).</summary>
    public double GoalRatio { get; init; } = 1;

    /// <summary>An absolute bound on Sluice's value (same direction as the metric), e.g. p99 under 1 ms.</summary>
    public double? GoalAbsolute { get; init; }

    /// <summary>Show Sluice's share of the direct connection (the ceiling).</summary>
    public bool FractionOfDirect { get; init; }

    /// <summary>Where this row goes in the charts: "throughput" (normalised to HAProxy), "latency", "memory", or null.</summary>
    public string? Chart { get; init; }

    public static IReadOnlyList<MetricRow> All { get; } =
    [
        new("redis", "rps", "redis-benchmark GET, 50 conns: req/s", "N0", true) { GoalPeer = "haproxy", GoalRatio = 1.1, Chart = "throughput" },
        new("redis", "p99", "redis-benchmark GET, 50 conns: p99 ms", "0.00", false) { GoalPeer = "haproxy", Chart = "latency" },
        new("redis", "cpu_us", "redis-benchmark GET: proxy CPU µs per request", "0.0", false),
        new("wrk", "rps", "wrk keep-alive to nginx, 50 conns: req/s", "N0", true) { GoalPeer = "haproxy", GoalRatio = 1.1, Chart = "throughput" },
        new("wrk", "p99", "wrk keep-alive to nginx, 50 conns: p99 ms", "0.00", false) { Chart = "latency" },
        new("wrk", "cpu_us", "wrk keep-alive: proxy CPU µs per request", "0.0", false),
        new("ab", "cps", "ab, new connection per request, 50 conc: conn/s", "N0", true) { GoalPeer = "haproxy", GoalRatio = 1.0, Chart = "throughput" },
        new("ab", "cpu_us", "ab: proxy CPU µs per new connection", "0.0", false),
        new("iperf1", "gbps", "iperf3 single stream: Gbit/s", "0.0", true) { GoalPeer = "nginx", GoalRatio = 1.1, FractionOfDirect = true, Chart = "throughput" },
        new("iperf8", "gbps", "iperf3 8 parallel streams: Gbit/s", "0.0", true) { GoalPeer = "nginx", GoalRatio = 1.1, FractionOfDirect = true, Chart = "throughput" },
        new("hold", "rss", "RSS per idle proxied connection (6,000 held): bytes", "N0", false) { GoalAbsolute = 3000, Chart = "memory" },
        new("rr", "rps", "sluice bench rr at 10,000 req/s, 100 conns, 64 B: achieved req/s", "N0", true),
        new("rr", "p50", "sluice bench rr at 10,000 req/s: p50 ms", "0.000", false) { Chart = "rr" },
        new("rr", "p99", "sluice bench rr at 10,000 req/s: p99 ms", "0.000", false) { GoalPeer = "haproxy", GoalAbsolute = 1.0, Chart = "rr" },
        new("rr", "p999", "sluice bench rr at 10,000 req/s: p99.9 ms", "0.000", false) { Chart = "rr" },
    ];
}
