namespace Sluice.Cli.Bench;

/// <summary>
/// The open-loop schedule: request k is due at start + k / rate and belongs to connection
/// k mod N, so each connection sends every N / rate seconds, evenly interleaved. One dedicated
/// thread sleeps until each due time and releases that request; it never waits for responses.
/// </summary>
internal sealed class Pacer
{
    private readonly PacedGate[] _gates;
    private readonly RunBounds _bounds;
    private readonly double _ticksPerRequest;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public Pacer(PacedGate[] gates, RunBounds bounds, double rate)
    {
        _gates = gates;
        _bounds = bounds;
        _ticksPerRequest = BenchClock.Ticks(TimeSpan.FromSeconds(1)) / rate;
        _thread = new Thread(Run) { IsBackground = true, Name = "bench pacer", Priority = ThreadPriority.AboveNormal };
    }

    /// <summary>When request <paramref name="k"/> is meant to be sent.</summary>
    public long DueTime(long k) => _bounds.Start + (long)(k * _ticksPerRequest);

    /// <summary>True when request <paramref name="k"/> is within the count and the duration.</summary>
    public bool IsScheduled(long k) => (_bounds.Count is not { } count || k < count) && DueTime(k) < _bounds.Deadline;

    public void Start() => _thread.Start();

    /// <summary>Ends the schedule early (a connection failed badly, or Ctrl+C).</summary>
    public void Stop() => _stopping = true;

    private void Run()
    {
        PreciseSleep.PrepareThread();
        try
        {
            for (long k = 0; !_stopping && IsScheduled(k); k++)
            {
                var due = DueTime(k);

                // Sleep in slices of at most 100 ms so a stop is noticed.
                long now;
                while (!_stopping && (now = BenchClock.Now) < due)
                {
                    PreciseSleep.Until(Math.Min(due, now + BenchClock.Ticks(TimeSpan.FromMilliseconds(100))));
                }

                _gates[k % _gates.Length].Release();
            }
        }
        finally
        {
            foreach (var gate in _gates)
            {
                gate.Stop();
            }
        }
    }
}
