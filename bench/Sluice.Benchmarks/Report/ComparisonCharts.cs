using System.Globalization;
using ScottPlot;

namespace Sluice.Benchmarks.Report;

/// <summary>
/// The report's PNG charts (ScottPlot): throughput normalised to HAProxy (so workloads in
/// different units share one axis), latency percentiles at the fixed rr rate and under
/// saturation, and memory per idle connection. Grouped bars: one group per workload, one colour per target.
/// </summary>
internal static class ComparisonCharts
{
    private static readonly Color[] TargetColors =
    [
        Color.FromHex("#9e9e9e"), // direct
        Color.FromHex("#1f77b4"), // HAProxy
        Color.FromHex("#2ca02c"), // nginx 1
        Color.FromHex("#98df8a"), // nginx auto
        Color.FromHex("#d62728"), // Sluice
    ];

    public static List<(string Title, string Path)> Write(MedianTable table, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<(string, string)>();

        var throughput = MetricRow.All.Where(r => r.Chart == "throughput").ToList();
        Add(written, directory, "compare-throughput.png", "Throughput relative to HAProxy (median; higher is better)", "× HAProxy",
            throughput.Select(r => (Short(r), Targets(table, r, normaliseTo: "haproxy"))).ToList(), "0.00");

        var rr = MetricRow.All.Where(r => r.Chart == "rr").ToList();
        Add(written, directory, "compare-latency-rr.png", "Latency at 10,000 req/s, 100 connections, 64 B echo (ms; lower is better)", "ms",
            rr.Select(r => (r.Metric.Replace("p999", "p99.9", StringComparison.Ordinal), Targets(table, r, normaliseTo: null))).ToList(), "0.000");

        var saturated = MetricRow.All.Where(r => r.Chart == "latency").ToList();
        Add(written, directory, "compare-latency-saturated.png", "p99 latency at saturation, 50 connections (ms; lower is better)", "ms",
            saturated.Select(r => (Short(r), Targets(table, r, normaliseTo: null))).ToList(), "0.00");

        var memory = MetricRow.All.Where(r => r.Chart == "memory").ToList();
        var held = table.Get("hold", "held", "sluice") ?? table.Get("hold", "held", "haproxy") ?? 6000;
        Add(written, directory, "compare-memory.png", string.Create(CultureInfo.InvariantCulture, $"RSS per idle proxied connection, {held:N0} held (bytes; lower is better)"), "bytes",
            memory.Select(r => ("RSS / connection", Targets(table, r, normaliseTo: null))).ToList(), "N0");
        return written;
    }

    private static string Short(MetricRow row) => row.Workload switch
    {
        "redis" => "redis GET",
        "wrk" => "wrk keep-alive",
        "ab" => "ab new conn.",
        "iperf1" => "iperf3 1 stream",
        "iperf8" => "iperf3 8 streams",
        _ => row.Workload,
    };

    private static double?[] Targets(MedianTable table, MetricRow row, string? normaliseTo)
    {
        var baseline = normaliseTo is null ? 1 : table.Get(row.Workload, row.Metric, normaliseTo);
        return CompareTargets.All
            .Select(t => table.Get(row.Workload, row.Metric, t) is { } v && baseline is > 0 ? v / baseline : (double?)null)
            .ToArray();
    }

    private static void Add(List<(string, string)> written, string directory, string file, string title, string yLabel, List<(string Group, double?[] Values)> groups, string format)
    {
        groups = groups.Where(g => g.Values.Any(v => v is not null)).ToList();
        if (groups.Count == 0)
        {
            return;
        }

        var present = Enumerable.Range(0, CompareTargets.All.Length).Where(t => groups.Any(g => g.Values[t] is not null)).ToArray();
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (var g = 0; g < groups.Count; g++)
        {
            var groupStart = g * (present.Length + 1);
            for (var i = 0; i < present.Length; i++)
            {
                var t = present[i];
                if (groups[g].Values[t] is { } value)
                {
                    bars.Add(new Bar
                    {
                        Position = groupStart + i,
                        Value = value,
                        FillColor = TargetColors[t],
                        Label = value.ToString(format, CultureInfo.InvariantCulture),
                    });
                }
            }

            ticks.Add(new Tick(groupStart + ((present.Length - 1) / 2.0), groups[g].Group));
        }

        var plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontSize = 10;
        foreach (var t in present)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = CompareTargets.Names[CompareTargets.All[t]], FillColor = TargetColors[t] });
        }

        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title(title);
        plot.YLabel(yLabel);
        var path = Path.Combine(directory, file);
        plot.SavePng(path, Math.Max(820, 160 * groups.Count * Math.Max(1, present.Length) / 3) + 120, 450);
        written.Add((title, path));
    }
}
