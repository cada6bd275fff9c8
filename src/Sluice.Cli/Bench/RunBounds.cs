namespace Sluice.Cli.Bench;

/// <summary>
/// When a measured phase ends: after <see cref="Duration"/>, after <see cref="Count"/> operations,
/// or at whichever comes first. Count-bound runs claim each operation, so exactly Count happen.
/// </summary>
internal sealed class RunBounds
{
    private readonly long _deadline;
    private long _claimed;

    public RunBounds(TimeSpan? duration, long? count, long start)
    {
        Duration = duration;
        Count = count;
        Start = start;
        _deadline = duration is { } d ? start + BenchClock.Ticks(d) : long.MaxValue;
    }

    public TimeSpan? Duration { get; }

    public long? Count { get; }

    public long Start { get; }

    public long Deadline => _deadline;

    public bool Expired => BenchClock.Now >= _deadline;

    /// <summary>Takes the right to do one more operation; false once the count or the time is used up.</summary>
    public bool TryClaim()
    {
        if (BenchClock.Now >= _deadline)
        {
            return false;
        }

        return Count is not { } count || Interlocked.Increment(ref _claimed) <= count;
    }

    /// <summary>How far along the phase is (0..1) given <paramref name="done"/> operations, for the progress bar.</summary>
    public double Fraction(long done)
    {
        var byTime = Duration is { } d ? BenchClock.Seconds(BenchClock.Now - Start) / d.TotalSeconds : 0;
        var byCount = Count is { } c && c > 0 ? (double)done / c : 0;
        return Math.Clamp(Math.Max(byTime, byCount), 0, 1);
    }
}
