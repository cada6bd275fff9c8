using System.Diagnostics;

namespace Sluice.Cli.Bench;

/// <summary>Conversions between <see cref="Stopwatch"/> ticks (nanoseconds on Linux) and time units.</summary>
internal static class BenchClock
{
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;

    public static long Now => Stopwatch.GetTimestamp();

    public static long Micros(long ticks) => (long)(ticks / TicksPerMicrosecond);

    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
