using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Benchmarks.Report;

/// <summary>
/// Reads what each tool printed, as compare.sh saved it (raw/WORKLOAD.TARGET.ROUND.EXT): the
/// numbers are taken by field name or label, never by position, so a tool that adds a column or a
/// line does not shift them. A file that cannot be read is reported, and that sample left out.
/// </summary>
internal static partial class RawOutputParser
{
    public static IEnumerable<Measurement> ParseDirectory(string directory, List<string> problems)
    {
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var parts = name.Split('.');
            if (parts.Length != 4 || parts[3] is "err" || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out var round))
            {
                continue;
            }

            var (workload, target) = (parts[0], parts[1]);
            List<(string Metric, double Value)> values;
            try
            {
                var text = File.ReadAllText(path);
                values = parts[3] == "cpu" ? ParseProxyCpu(text) : workload switch
                {
                    "redis" => ParseRedisCsv(text),
                    "wrk" => ParseWrk(text),
                    "ab" => ParseAb(text),
                    "iperf1" or "iperf8" => ParseIperf(text),
                    "hold" or "rr" => ParseSluiceBench(text),
                    _ => [],
                };
            }
            catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                problems.Add($"{name}: {ex.Message}");
                continue;
            }

            foreach (var (metric, value) in values)
            {
                yield return new Measurement(workload, target, round, metric, value);
            }
        }
    }

    /// <summary>redis-benchmark --csv: a header row of quoted names, then one row per test.</summary>
    public static List<(string, double)> ParseRedisCsv(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines.FirstOrDefault(l => l.Contains("\"rps\"", StringComparison.Ordinal))
            ?? throw new FormatException("no CSV header with \"rps\" (is this redis-benchmark 6+ with --csv?)");
        var names = Fields(header);
        var row = lines.SkipWhile(l => l != header).Skip(1).FirstOrDefault(l => l.StartsWith("\"GET", StringComparison.Ordinal))
            ?? throw new FormatException("no GET row");
        var fields = Fields(row);
        double Field(string n) => double.Parse(fields[Array.IndexOf(names, n) is var i and >= 0 ? i : throw new FormatException($"no column {n}")], CultureInfo.InvariantCulture);
        return [("rps", Field("rps")), ("p50", Field("p50_latency_ms")), ("p99", Field("p99_latency_ms"))];

        static string[] Fields(string line) => line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();
    }

    /// <summary>wrk --latency: "Requests/sec: N" and the "Latency Distribution" percent lines with their units.</summary>
    public static List<(string, double)> ParseWrk(string text)
    {
        var rps = WrkRps().Match(text);
        if (!rps.Success)
        {
            throw new FormatException("no \"Requests/sec:\" line");
        }

        var result = new List<(string, double)> { ("rps", Num(rps.Groups[1].Value)) };
        foreach (Match m in WrkPercentile().Matches(text))
        {
            var ms = Num(m.Groups[2].Value) * m.Groups[3].Value switch { "us" => 0.001, "ms" => 1, "s" => 1000, "m" => 60_000, _ => throw new FormatException($"unit {m.Groups[3].Value}") };
            result.Add(("p" + m.Groups[1].Value, ms));
        }

        if (!result.Any(r => r.Item1 == "p99"))
        {
            throw new FormatException("no 99% line (run wrk with --latency)");
        }

        // "Socket errors: connect 0, read 0, write 0, timeout 0" and "Non-2xx or 3xx responses: N" appear only when non-zero.
        var errors = WrkErrors().Match(text);
        var count = errors.Success ? errors.Groups[1].Value.Split(',').Sum(part => Num(part.Trim().Split(' ')[^1])) : 0;
        var non2xx = WrkNon2xx().Match(text);
        result.Add(("errors", count + (non2xx.Success ? Num(non2xx.Groups[1].Value) : 0)));
        return result;
    }

    /// <summary>ab: "Requests per second: N [#/sec]", "Failed requests: N" and the "99%  N" (ms) table.</summary>
    public static List<(string, double)> ParseAb(string text)
    {
        var rps = AbRps().Match(text);
        if (!rps.Success)
        {
            throw new FormatException("no \"Requests per second:\" line");
        }

        var result = new List<(string, double)> { ("cps", Num(rps.Groups[1].Value)) };
        var failed = AbFailed().Match(text);
        result.Add(("errors", failed.Success ? Num(failed.Groups[1].Value) : 0));
        var p99 = AbP99().Match(text);
        if (p99.Success)
        {
            result.Add(("p99", Num(p99.Groups[1].Value)));
        }

        return result;
    }

    /// <summary>iperf3 -J: end.sum_received.bits_per_second (what arrived, over all streams).</summary>
    public static List<(string, double)> ParseIperf(string text)
    {
        using var doc = JsonDocument.Parse(text);
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            throw new FormatException("iperf3: " + error.GetString());
        }

        var bps = doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        return [("gbps", bps / 1e9)];
    }

    /// <summary>`sluice bench --json`: the result record (camelCase).</summary>
    public static List<(string, double)> ParseSluiceBench(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        var result = new List<(string, double)> { ("errors", root.GetProperty("errors").GetDouble()) };
        if (root.TryGetProperty("rssPerConnectionBytes", out var rss))
        {
            result.Add(("rss", rss.GetDouble()));
            result.Add(("held", root.GetProperty("held").GetDouble()));
        }

        if (root.TryGetProperty("requestsPerSecond", out var rps))
        {
            result.Add(("rps", rps.GetDouble()));
        }

        if (root.TryGetProperty("latency", out var latency) && latency.TryGetProperty("count", out var count) && count.GetInt64() > 0)
        {
            result.Add(("p50", latency.GetProperty("p50Ms").GetDouble()));
            result.Add(("p90", latency.GetProperty("p90Ms").GetDouble()));
            result.Add(("p99", latency.GetProperty("p99Ms").GetDouble()));
            result.Add(("p999", latency.GetProperty("p999Ms").GetDouble()));
            result.Add(("max", latency.GetProperty("maxMs").GetDouble()));
        }

        return result;
    }

    /// <summary>compare.sh's CPU record of a proxy around one run: cpu_ticks, clk_tck and requests
    /// (name=value lines); gives the proxy's CPU microseconds per request.</summary>
    public static List<(string, double)> ParseProxyCpu(string text)
    {
        var fields = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => Num(p[1]), StringComparer.Ordinal);
        double Field(string n) => fields.TryGetValue(n, out var v) ? v : throw new FormatException($"no {n}=");
        var requests = Field("requests");
        var ticksPerSecond = Field("clk_tck");
        if (requests <= 0 || ticksPerSecond <= 0)
        {
            throw new FormatException("requests and clk_tck must be positive");
        }

        return [("cpu_us", Field("cpu_ticks") / ticksPerSecond * 1e6 / requests)];
    }

    private static double Num(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex WrkRps();

    [GeneratedRegex(@"^\s+(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex WrkPercentile();

    [GeneratedRegex(@"Socket errors:([^\n]*)")]
    private static partial Regex WrkErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex WrkNon2xx();

    [GeneratedRegex(@"Requests per second:\s+([0-9.]+)")]
    private static partial Regex AbRps();

    [GeneratedRegex(@"Failed requests:\s+(\d+)")]
    private static partial Regex AbFailed();

    [GeneratedRegex(@"^\s+99%\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex AbP99();
}
