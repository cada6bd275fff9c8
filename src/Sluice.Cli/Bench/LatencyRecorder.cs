using HdrHistogram;

namespace Sluice.Cli.Bench;

/// <summary>
/// Latencies in microseconds (1 µs to 60 s, 3 significant digits), recorded from many connections
/// at once. Connections are spread over a few shards, each behind its own lock, so two completions
/// rarely contend and a record allocates nothing.
/// </summary>
internal sealed class LatencyRecorder
{
    public const long HighestMicros = 60_000_000;

    private readonly LongHistogram[] _shards;
    private readonly Lock[] _locks;

    public LatencyRecorder(int shards = 0)
    {
        var count = shards > 0 ? shards : Math.Max(2, Environment.ProcessorCount * 2);
        _shards = new LongHistogram[count];
        _locks = new Lock[count];
        for (var i = 0; i < count; i++)
        {
            _shards[i] = new LongHistogram(HighestMicros, 3);
            _locks[i] = new Lock();
        }
    }

    /// <summary>Records <paramref name="elapsedTicks"/> (Stopwatch ticks) from connection <paramref name="lane"/>.</summary>
    public void Record(int lane, long elapsedTicks) => RecordMicros(lane, BenchClock.Micros(elapsedTicks));

    public void RecordMicros(int lane, long micros)
    {
        var value = Math.Clamp(micros, 1, HighestMicros);
        var shard = (int)((uint)lane % (uint)_shards.Length);
        lock (_locks[shard])
        {
            _shards[shard].RecordValue(value);
        }
    }

    public LatencySummary Summarize()
    {
        var total = new LongHistogram(HighestMicros, 3);
        for (var i = 0; i < _shards.Length; i++)
        {
            lock (_locks[i])
            {
                total.Add(_shards[i]);
            }
        }

        return LatencySummary.From(total);
    }
}
