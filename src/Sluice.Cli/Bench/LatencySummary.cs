using HdrHistogram;

namespace Sluice.Cli.Bench;

/// <summary>Latency percentiles in milliseconds, from an HdrHistogram of microseconds.</summary>
internal sealed record LatencySummary
{
    public long Count { get; init; }

    public double MeanMs { get; init; }

    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    public double P999Ms { get; init; }

    public double MaxMs { get; init; }

    public static LatencySummary From(HistogramBase micros)
    {
        if (micros.TotalCount == 0)
        {
            return new LatencySummary();
        }

        return new LatencySummary
        {
            Count = micros.TotalCount,
            MeanMs = micros.GetMean() / 1000.0,
            P50Ms = micros.GetValueAtPercentile(50) / 1000.0,
            P90Ms = micros.GetValueAtPercentile(90) / 1000.0,
            P99Ms = micros.GetValueAtPercentile(99) / 1000.0,
            P999Ms = micros.GetValueAtPercentile(99.9) / 1000.0,
            MaxMs = micros.GetMaxValue() / 1000.0,
        };
    }
}
