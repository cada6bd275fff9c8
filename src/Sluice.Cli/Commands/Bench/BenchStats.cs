using HdrHistogram;

namespace Sluice.Cli.Commands.Bench;

/// <summary>Counts and round-trip times shared by all load clients; recording starts after warm-up.</summary>
internal sealed class BenchStats
{
    private long _messages;
    private long _bytes;

    public LongConcurrentHistogram RoundTrip { get; } = new(1, TimeSpan.FromMinutes(1).Ticks / 10, 3);

    public volatile bool Recording;

    public long Messages => Interlocked.Read(ref _messages);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(int messages, long bytes)
    {
        if (Recording)
        {
            Interlocked.Add(ref _messages, messages);
            Interlocked.Add(ref _bytes, bytes);
        }
    }

    /// <summary>Records one round trip in microseconds.</summary>
    public void RecordMicroseconds(long microseconds)
    {
        if (Recording)
        {
            RoundTrip.RecordValue(Math.Max(1, microseconds));
        }
    }
}
