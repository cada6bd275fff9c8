using System.Globalization;
using System.Text;

namespace Sluice.Benchmarks.Report;

/// <summary>
/// `Sluice.Benchmarks report --raw DIR [--summary FILE] [--markdown docs/benchmarks.md --img docs/img]`:
/// medians of compare.sh's raw outputs, written as markdown (the section between the compare
/// markers in the docs page is replaced, the rest of the page kept) and as PNG charts.
/// </summary>
internal static class ComparisonReport
{
    public const string BeginMarker = "<!-- compare.sh results: begin (generated; edit bench/compare.sh or the report tool, not this section) -->";
    public const string EndMarker = "<!-- compare.sh results: end -->";

    public static int Run(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var raw = Arg("--raw");
        if (raw is null || !Directory.Exists(raw))
        {
            Console.Error.WriteLine("usage: report --raw DIR [--summary FILE] [--markdown FILE --img DIR]");
            return 2;
        }

        var meta = ReadMeta(Path.Combine(raw, "meta.txt"));
        var problems = new List<string>();
        var measurements = RawOutputParser.ParseDirectory(raw, problems).ToList();
        var table = new MedianTable(measurements);

        // Charts go next to the summary (raw outputs and summary stay together), and are copied
        // to --img for the docs page; each markdown links to its own copy.
        var summaryPath = Arg("--summary") ?? Path.Combine(raw, "summary.md");
        var summaryDir = Path.GetDirectoryName(Path.GetFullPath(summaryPath))!;
        var charts = ComparisonCharts.Write(table, summaryDir);
        var section = Render(raw, table, meta, measurements, problems, charts.Select(c => (c.Title, "./" + Path.GetFileName(c.Path))).ToList());
        File.WriteAllText(summaryPath, section);

        var markdownPath = Arg("--markdown");
        if (markdownPath is not null)
        {
            var imgDir = Arg("--img") ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(markdownPath))!, "img");
            Directory.CreateDirectory(imgDir);
            foreach (var (_, path) in charts)
            {
                File.Copy(path, Path.Combine(imgDir, Path.GetFileName(path)), overwrite: true);
            }

            var link = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(markdownPath))!, imgDir);
            var docsSection = Render(raw, table, meta, measurements, problems, charts.Select(c => (c.Title, Path.Combine(link, Path.GetFileName(c.Path)))).ToList());
            var existing = File.Exists(markdownPath) ? File.ReadAllText(markdownPath) : "# Benchmarks\n";
            File.WriteAllText(markdownPath, Splice(existing, docsSection));
            Console.WriteLine($"wrote the results section of {markdownPath} and {charts.Count} charts in {imgDir}");
        }

        Console.WriteLine(section);
        return 0;
    }

    /// <summary>Replaces the generated section (between the markers) or appends it; the rest of the page is kept as written.</summary>
    public static string Splice(string page, string section)
    {
        var block = BeginMarker + "\n" + section.TrimEnd() + "\n" + EndMarker + "\n";
        var begin = page.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = page.IndexOf(EndMarker, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
        {
            var after = end + EndMarker.Length;
            if (after < page.Length && page[after] == '\n')
            {
                after++;
            }

            return page[..begin] + block + page[after..];
        }

        return page.TrimEnd() + "\n\n" + block;
    }

    private static Dictionary<string, string> ReadMeta(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Contains('=', StringComparison.Ordinal))
                .Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1])
            : [];

    private static string Render(string rawDirectory, MedianTable table, Dictionary<string, string> meta, List<Measurement> all, List<string> problems, List<(string Title, string Link)> charts)
    {
        string M(string key) => meta.TryGetValue(key, out var v) && v.Length > 0 ? v : "?";
        var sb = new StringBuilder();
        sb.AppendLine("## Side by side: Sluice, HAProxy, nginx (bench/compare.sh)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Run {M("date")}, {M("mode")} mode, {M("rounds")} interleaved rounds, medians{(meta.GetValueOrDefault("label") is { Length: > 0 } l ? $", label `{l}`" : "")}{(meta.GetValueOrDefault("sluice_env") is { Length: > 0 } e ? $", Sluice started with `{e}`" : "")}.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine: {M("nproc")} cores ({M("cpu")}), kernel {M("kernel")}, load average at start {M("load")}.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Versions: Sluice {M("sluice")} (.NET SDK {M("dotnet")}), HAProxy {M("haproxy")}, nginx {M("nginx")}, redis {M("redis")}, iperf3 {M("iperf3")}, wrk {M("wrk")}, ab {M("ab")}.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Sizes: {M("sizes")}.");
        sb.AppendLine("Method, configs and commands: [How to run](#the-comparison-benchcomparesh). Every target is measured in the same run, interleaved; a ratio compares medians of that run only.");
        sb.AppendLine();
        sb.AppendLine("### Medians");
        sb.AppendLine();
        sb.AppendLine("| workload | " + string.Join(" | ", CompareTargets.All.Select(t => CompareTargets.Names[t])) + " |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", CompareTargets.All.Length)));
        foreach (var row in MetricRow.All)
        {
            if (CompareTargets.All.All(t => table.Get(row.Workload, row.Metric, t) is null))
            {
                continue;
            }

            sb.Append(CultureInfo.InvariantCulture, $"| {Title(table, row)} |");
            foreach (var t in CompareTargets.All)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {Cell(table, row, t)} |");
            }

            sb.AppendLine();
        }

        sb.AppendLine();
        sb.AppendLine("### Sluice against its peers");
        sb.AppendLine();
        sb.AppendLine("Ratios of medians, Sluice / peer. For req/s, conn/s and Gbit/s higher is better; for latency and memory lower is better.");
        sb.AppendLine();
        sb.AppendLine("| workload | Sluice / HAProxy | Sluice / nginx (1) | Sluice / nginx (auto) | Sluice / direct | goal (issue 6) | met |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in MetricRow.All)
        {
            var sluice = table.Get(row.Workload, row.Metric, "sluice");
            if (sluice is null)
            {
                continue;
            }

            string Ratio(string peer) => table.Get(row.Workload, row.Metric, peer) is { } p && p > 0 ? (sluice.Value / p).ToString("0.00", CultureInfo.InvariantCulture) : "—";
            var (goal, met) = Goal(table, row, sluice.Value);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {Title(table, row)} | {Ratio("haproxy")} | {Ratio("nginx1")} | {Ratio("nginxauto")} | {(row.FractionOfDirect ? Ratio("direct") : "—")} | {goal} | {met} |");
        }

        if (SyscallProfile.Render(rawDirectory) is { Length: > 0 } syscalls)
        {
            sb.AppendLine();
            sb.Append(syscalls);
        }

        var errors = all.Where(m => m.Metric == "errors" && m.Value > 0).ToList();
        if (errors.Count > 0 || problems.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Problems in this run (those samples are still in the medians unless unreadable):");
            foreach (var failure in errors)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {failure.Workload} against {CompareTargets.Names.GetValueOrDefault(failure.Target, failure.Target)}, round {failure.Round + 1}: {failure.Value:0} errors");
            }

            foreach (var p in problems)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- unreadable output, left out: {p}");
            }
        }

        if (charts.Count > 0)
        {
            sb.AppendLine();
            foreach (var (title, link) in charts)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"![{title}]({link.Replace('\\', '/')})");
                sb.AppendLine();
            }
        }

        return sb.ToString();
    }

    /// <summary>The row's title; the hold row names the number of connections actually held (a smoke run holds fewer).</summary>
    private static string Title(MedianTable table, MetricRow row) =>
        row.Workload == "hold" && table.Get("hold", "held", "sluice") is { } held && held != 6000
            ? row.Title.Replace("6,000", held.ToString("N0", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            : row.Title;

    private static string Cell(MedianTable table, MetricRow row, string target)
    {
        if (table.Get(row.Workload, row.Metric, target) is not { } value)
        {
            return "—";
        }

        var text = value.ToString(row.Format, CultureInfo.InvariantCulture);
        return target == "sluice" ? $"**{text}**" : text;
    }

    private static (string Goal, string Met) Goal(MedianTable table, MetricRow row, double sluice)
    {
        var parts = new List<string>();
        var ok = true;
        var known = false;
        if (row.GoalPeer is { } peerName)
        {
            var peer = peerName == "nginx" ? table.BestNginx(row) : table.Get(row.Workload, row.Metric, peerName);
            var label = peerName == "nginx" ? "the better nginx" : CompareTargets.Names[peerName];
            var ratio = row.GoalRatio.ToString("0.0#", CultureInfo.InvariantCulture);
            parts.Add(row.HigherIsBetter ? $"≥ {ratio} × {label}" : row.GoalRatio == 1 ? $"≤ {label}" : $"≤ {ratio} × {label}");
            if (peer is { } p)
            {
                known = true;
                ok &= row.HigherIsBetter ? sluice >= row.GoalRatio * p : sluice <= row.GoalRatio * p;
            }
        }

        if (row.GoalAbsolute is { } bound)
        {
            parts.Add((row.HigherIsBetter ? "≥ " : row.Metric.StartsWith('p') ? "< " : "≤ ") + bound.ToString(row.Format, CultureInfo.InvariantCulture));
            known = true;
            ok &= row.HigherIsBetter ? sluice >= bound : row.Metric.StartsWith('p') ? sluice < bound : sluice <= bound;
        }

        return parts.Count == 0 ? ("—", "") : (string.Join(", ", parts), known ? (ok ? "yes" : "**no**") : "?");
    }
}
