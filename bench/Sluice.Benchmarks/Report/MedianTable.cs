namespace Sluice.Benchmarks.Report;

/// <summary>Medians over rounds, per workload, metric and target, with how many samples each had.</summary>
internal sealed class MedianTable
{
    private readonly Dictionary<(string Workload, string Metric, string Target), (double Median, int Samples)> _cells = [];

    public MedianTable(IEnumerable<Measurement> measurements)
    {
        foreach (var group in measurements.GroupBy(m => (m.Workload, m.Metric, m.Target)))
        {
            var values = group.Select(m => m.Value).Order().ToArray();
            _cells[group.Key] = (Median(values), values.Length);
        }
    }

    public static double Median(double[] sorted) => sorted.Length == 0
        ? double.NaN
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    public double? Get(string workload, string metric, string target) =>
        _cells.TryGetValue((workload, metric, target), out var cell) ? cell.Median : null;

    public int Samples(string workload, string metric, string target) =>
        _cells.TryGetValue((workload, metric, target), out var cell) ? cell.Samples : 0;

    /// <summary>The better of nginx's two configurations for this metric (the stricter comparison for Sluice).</summary>
    public double? BestNginx(MetricRow row)
    {
        var one = Get(row.Workload, row.Metric, "nginx1");
        var auto = Get(row.Workload, row.Metric, "nginxauto");
        if (one is null || auto is null)
        {
            return one ?? auto;
        }

        return row.HigherIsBetter ? Math.Max(one.Value, auto.Value) : Math.Min(one.Value, auto.Value);
    }
}
