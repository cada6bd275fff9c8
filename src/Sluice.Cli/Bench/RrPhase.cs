namespace Sluice.Cli.Bench;

/// <summary>What the connections of one rr phase (warm-up or measured) share.</summary>
internal sealed class RrPhase
{
    private long _completed;

    public RrPhase(RunBounds bounds, LatencyRecorder? recorder, Pacer? pacer, BenchErrors errors)
    {
        Bounds = bounds;
        Recorder = recorder;
        Pacer = pacer;
        Errors = errors;
    }

    public RunBounds Bounds { get; }

    /// <summary>Null during warm-up: nothing recorded.</summary>
    public LatencyRecorder? Recorder { get; }

    /// <summary>Null for closed loop.</summary>
    public Pacer? Pacer { get; }

    public BenchErrors Errors { get; }

    public long Completed => Volatile.Read(ref _completed);

    public void OnCompleted() => Interlocked.Increment(ref _completed);
}
