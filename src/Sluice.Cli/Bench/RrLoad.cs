using System.Net.Sockets;

namespace Sluice.Cli.Bench;

/// <summary>
/// `sluice bench rr`. Closed loop (no rate): each connection sends its next request as soon as
/// the previous echo is in; latency is send to echo. Open loop (a rate): a pacer releases requests
/// on a fixed schedule whatever the target does, and latency is measured from each request's
/// intended send time, so a stall shows as the queue of requests it delayed (coordinated omission
/// corrected, as wrk2 does), not as one slow sample.
/// </summary>
internal sealed class RrLoad
{
    private readonly RrOptions _options;
    private RrPhase? _phase;

    public RrLoad(RrOptions options)
    {
        _options = options;
    }

    /// <summary>0..1 through the measured phase, for the progress bar.</summary>
    public double Progress => _phase is { Recorder: not null } p ? p.Bounds.Fraction(p.Completed) : 0;

    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var o = _options;
        var sockets = await BenchTarget.ConnectAllAsync(o.Target, o.Connections, parallelism: 32, TimeSpan.FromSeconds(30), cancellationToken);
        try
        {
            var connections = new RrConnection[sockets.Length];
            for (var i = 0; i < sockets.Length; i++)
            {
                connections[i] = new RrConnection(sockets[i], i, o.MessageBytes) { Lanes = sockets.Length };
            }

            var errors = new BenchErrors();
            if (o.Warmup > TimeSpan.Zero)
            {
                await RunPhaseAsync(connections, new RunBounds(o.Warmup, count: null, BenchClock.Now), recorder: null, errors);
            }

            var recorder = new LatencyRecorder();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var bounds = new RunBounds(o.Duration, o.Count, BenchClock.Now);
            var phase = await RunPhaseAsync(connections, bounds, recorder, errors);
            var elapsed = BenchClock.Seconds(BenchClock.Now - bounds.Start);
            var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            return new BenchResult
            {
                Mode = "rr",
                Target = o.Target.ToString(),
                Connections = o.Connections,
                MessageBytes = o.MessageBytes,
                TargetRate = o.Rate,
                ElapsedSeconds = elapsed,
                Requests = phase.Completed,
                RequestsPerSecond = phase.Completed / elapsed,
                Latency = recorder.Summarize(),
                GeneratorBytesAllocatedPerOperation = phase.Completed > 0 ? (double)allocated / phase.Completed : null,
                Errors = errors.Count,
                FirstError = errors.First,
            };
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private async Task<RrPhase> RunPhaseAsync(RrConnection[] connections, RunBounds bounds, LatencyRecorder? recorder, BenchErrors errors)
    {
        Pacer? pacer = null;
        if (_options.Rate is { } rate)
        {
            var gates = new PacedGate[connections.Length];
            for (var i = 0; i < gates.Length; i++)
            {
                gates[i] = new PacedGate();
                connections[i].Gate = gates[i];
            }

            pacer = new Pacer(gates, bounds, rate);
        }

        var phase = new RrPhase(bounds, recorder, pacer, errors);
        _phase = phase;
        var loops = new Task[connections.Length];
        for (var i = 0; i < connections.Length; i++)
        {
            var connection = connections[i];
            loops[i] = Task.Run(() => connection.RunAsync(phase));
        }

        pacer?.Start();
        await Task.WhenAll(loops);
        return phase;
    }
}
