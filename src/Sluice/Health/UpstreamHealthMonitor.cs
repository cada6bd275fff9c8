using Microsoft.Extensions.Logging;
using Sluice.Configuration;

namespace Sluice.Health;

/// <summary>
/// Runs a cluster's active checks: one loop per upstream, so a slow or hanging upstream never
/// delays another's checks. Each loop checks, records the result, then waits the interval with
/// ±10% jitter (so checks of many upstreams, or many Sluice instances, do not fire in lockstep).
/// Started once, stopped by <see cref="DisposeAsync"/> (or, per upstream, when a newer monitor
/// claims it on reload); nothing a check does escapes its loop.
/// </summary>
internal sealed class UpstreamHealthMonitor : IAsyncDisposable
{
    private const double Jitter = 0.1;

    // A zero interval from a bad config must not turn a check loop into a busy loop.
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);

    private readonly string _cluster;
    private readonly HealthCheckConfig _config;
    private readonly IReadOnlyList<Upstream> _upstreams;
    private readonly IUpstreamProbe _probe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task[]? _loops;
    private bool _disposed;

    public UpstreamHealthMonitor(string cluster, HealthCheckConfig config, IReadOnlyList<Upstream> upstreams, IUpstreamProbe probe, TimeProvider time, ILogger logger)
    {
        _cluster = cluster;
        _config = config;
        _upstreams = upstreams;
        _probe = probe;
        _time = time;
        _logger = logger;
    }

    private TimeSpan Interval => _config.Interval > MinInterval ? _config.Interval : MinInterval;

    /// <summary>Starts the check loops; a second call, or a call after dispose, does nothing.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_loops is not null || _disposed)
            {
                return;
            }

            var loops = new Task[_upstreams.Count];
            var stopping = _stop.Token;
            for (var i = 0; i < loops.Length; i++)
            {
                var upstream = _upstreams[i];
                upstream.ClaimChecks(this);
                loops[i] = Task.Run(() => RunAsync(upstream, stopping));
            }

            _loops = loops;
            HealthLog.HealthChecksStarted(_logger, _cluster, loops.Length, _config.Interval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task[]? loops;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loops = _loops;
        }

        await _stop.CancelAsync();
        if (loops is not null)
        {
            // The loops end on cancellation and swallow everything else, so this never throws.
            await Task.WhenAll(loops);
        }

        _stop.Dispose();
    }

    /// <summary>One check of one upstream, recorded on it. Internal so tests can drive a check without the schedule.</summary>
    internal async Task CheckOnceAsync(Upstream upstream, CancellationToken cancellationToken)
    {
        ProbeResult result;
        try
        {
            result = await _probe.ProbeAsync(upstream.Address, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            HealthLog.HealthCheckCrashed(_logger, upstream.Address, _cluster, ex);
            result = ProbeResult.Fail("check_error: " + ex.Message);
        }

        if (!result.Passed)
        {
            HealthLog.HealthCheckFailed(_logger, upstream.Address, _cluster, result.Error ?? "failed");
        }

        upstream.RecordCheck(result.Passed, result.Error);
    }

    private async Task RunAsync(Upstream upstream, CancellationToken cancellationToken)
    {
        try
        {
            // Spread the first checks over a tenth of an interval instead of firing them all at once.
            await Task.Delay(FirstDelay(), _time, cancellationToken);
            while (!cancellationToken.IsCancellationRequested && upstream.IsCheckedBy(this))
            {
                try
                {
                    await CheckOnceAsync(upstream, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Only a logger or the state machine could get here; the loop must outlive it.
                    HealthLog.HealthCheckCrashed(_logger, upstream.Address, _cluster, ex);
                }

                await Task.Delay(NextDelay(), _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private TimeSpan FirstDelay() => Interval * (Jitter * Random.Shared.NextDouble());

    private TimeSpan NextDelay() => Interval * (1 + (Jitter * ((2 * Random.Shared.NextDouble()) - 1)));
}
