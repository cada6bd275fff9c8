using Sluice.Cli.Bench;

namespace Sluice.IntegrationTests.Bench;

/// <summary>Percentiles as reported (HdrHistogram, 3 significant digits) from known samples; no sockets.</summary>
public sealed class LatencyRecorderTests
{
    [Fact]
    public void Summarize_ReportsPercentilesOfEveryLaneTogether_InMilliseconds()
    {
        var recorder = new LatencyRecorder(shards: 4);

        // 1..10,000 µs, spread over lanes as connections would record them.
        for (var us = 1; us <= 10_000; us++)
        {
            recorder.RecordMicros(lane: us % 7, us);
        }

        var s = recorder.Summarize();

        Assert.Equal(10_000, s.Count);
        Assert.Equal(5.0, s.P50Ms, 0.01);
        Assert.Equal(9.0, s.P90Ms, 0.01);
        Assert.Equal(9.9, s.P99Ms, 0.01);
        Assert.Equal(9.99, s.P999Ms, 0.01);
        Assert.Equal(10.0, s.MaxMs, 0.01);
        Assert.Equal(5.0, s.MeanMs, 0.01);
    }

    [Fact]
    public void Summarize_OfNothing_IsZeroCount()
    {
        Assert.Equal(0, new LatencyRecorder().Summarize().Count);
    }

    [Fact]
    public void Record_ClampsOutOfRangeValues_InsteadOfThrowing()
    {
        var recorder = new LatencyRecorder(shards: 1);

        recorder.RecordMicros(0, -5);
        recorder.RecordMicros(0, LatencyRecorder.HighestMicros * 10);

        var s = recorder.Summarize();
        Assert.Equal(2, s.Count);
        Assert.True(s.MaxMs >= LatencyRecorder.HighestMicros / 1000.0 * 0.99);
    }
}
