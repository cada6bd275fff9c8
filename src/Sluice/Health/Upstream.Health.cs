namespace Sluice.Health;

// Health state machine.
//
// Start state is Up, but "unproven": the first active check that fails takes the upstream down at
// once instead of after `fall` failures (HAProxy's default behaves the same way). Starting up
// means a restart or a reload never blackholes a healthy cluster for rise × interval, and
// clusters without active checks work at all; treating the first failure as decisive means a
// dead upstream is found after one interval, not fall × interval.
//
// Passive ejection: MaxFailures consecutive connect failures from real traffic eject the
// upstream (a success resets the count). It returns when the next active check passes or, for a
// cluster without active checks, after EjectionTime. A returned upstream is on trial: its failure
// count restarts at MaxFailures - 1, so one more failure ejects it again and one success clears it.
public sealed partial class Upstream
{
    private const string ReturnedByCheck = "an active check passed";
    private const string ReturnedByTime = "the ejection time elapsed";

    private readonly Lock _gate = new();

    // _offered mirrors "_activeUp && !_ejected" so IsHealthy is one volatile read; written under _gate.
    private volatile bool _offered = true;
    private int _connectFailures;

    // Guarded by _gate.
    private bool _activeUp = true;
    private bool _checked;
    private bool _ejected;
    private int _checkPasses;
    private int _checkFailures;
    private DateTimeOffset? _lastCheckAt;
    private string? _lastCheckError;
    private DateTimeOffset _lastStateChangeAt;
    private DateTimeOffset? _ejectedUntil;
    private long _ejections;
    private ITimer? _returnTimer;

    public UpstreamHealthState State
    {
        get
        {
            lock (_gate)
            {
                return StateLocked();
            }
        }
    }

    /// <summary>A connect from real traffic failed; counts toward passive ejection.</summary>
    public void ReportConnectFailure()
    {
        var max = _passive.MaxFailures;
        if (max <= 0)
        {
            return;
        }

        var failures = Interlocked.Increment(ref _connectFailures);
        if (failures >= max)
        {
            Eject(failures);
        }
    }

    /// <summary>A connect from real traffic succeeded; resets the passive failure count.</summary>
    public void ReportConnectSuccess()
    {
        // Read first: the common case (no failures) must not write a shared cache line per connection.
        if (Volatile.Read(ref _connectFailures) != 0)
        {
            Interlocked.Exchange(ref _connectFailures, 0);
        }
    }

    public UpstreamHealthSnapshot GetHealth()
    {
        lock (_gate)
        {
            return new UpstreamHealthSnapshot(
                StateLocked(),
                _checkPasses,
                _checkFailures,
                Volatile.Read(ref _connectFailures),
                _lastCheckAt,
                _lastCheckError,
                _lastStateChangeAt,
                _ejectedUntil,
                _ejections);
        }
    }

    /// <summary>Records one active check; applies rise/fall and ends a passive ejection on a pass.</summary>
    internal void RecordCheck(bool passed, string? error)
    {
        lock (_gate)
        {
            var before = StateLocked();
            var now = _time.GetUtcNow();
            var firstCheck = !_checked;
            _checked = true;
            _lastCheckAt = now;
            if (passed)
            {
                _lastCheckError = null;
                _checkFailures = 0;
                _checkPasses = SaturatingIncrement(_checkPasses);
                if (!_activeUp && _checkPasses >= Math.Max(1, _active?.Rise ?? 1))
                {
                    _activeUp = true;
                    HealthLog.UpstreamUp(_logger, Address, _cluster, _checkPasses);
                }

                if (_ejected)
                {
                    ReturnLocked(ReturnedByCheck);
                }
            }
            else
            {
                _lastCheckError = error ?? "failed";
                _checkPasses = 0;
                _checkFailures = SaturatingIncrement(_checkFailures);
                if (_activeUp && (firstCheck || _checkFailures >= Math.Max(1, _active?.Fall ?? 1)))
                {
                    _activeUp = false;
                    HealthLog.UpstreamDown(_logger, Address, _cluster, _checkFailures, _lastCheckError);
                }
            }

            UpdateOfferedLocked(before, now);
        }
    }

    private void Eject(int failures)
    {
        lock (_gate)
        {
            if (_ejected)
            {
                return;
            }

            var before = StateLocked();
            var now = _time.GetUtcNow();
            _ejected = true;
            _ejections++;
            if (_active is null)
            {
                var ejectionTime = _passive.EjectionTime;
                var ejection = _ejections;
                _ejectedUntil = now + ejectionTime;
                _returnTimer?.Dispose();
                _returnTimer = _time.CreateTimer(_ => ReturnAfterEjectionTime(ejection), null, ejectionTime, Timeout.InfiniteTimeSpan);
                HealthLog.UpstreamEjectedFor(_logger, Address, _cluster, failures, ejectionTime);
            }
            else
            {
                HealthLog.UpstreamEjectedUntilCheck(_logger, Address, _cluster, failures);
            }

            UpdateOfferedLocked(before, now);
        }
    }

    private void ReturnAfterEjectionTime(long ejection)
    {
        lock (_gate)
        {
            // Matched by ejection number, not by comparing clocks: a timer may fire a little before
            // the wall clock reaches _ejectedUntil, and skipping it would eject the upstream for good.
            // A stale timer (its ejection already ended by a later event) finds a different number.
            if (!_ejected || ejection != _ejections)
            {
                return;
            }

            var before = StateLocked();
            ReturnLocked(ReturnedByTime);
            UpdateOfferedLocked(before, _time.GetUtcNow());
        }
    }

    private void ReturnLocked(string reason)
    {
        _ejected = false;
        _ejectedUntil = null;
        _returnTimer?.Dispose();
        _returnTimer = null;
        Volatile.Write(ref _connectFailures, Math.Max(0, _passive.MaxFailures - 1));
        HealthLog.UpstreamReturned(_logger, Address, _cluster, reason);
    }

    private void UpdateOfferedLocked(UpstreamHealthState before, DateTimeOffset now)
    {
        _offered = _activeUp && !_ejected;
        if (StateLocked() != before)
        {
            _lastStateChangeAt = now;
        }
    }

    private UpstreamHealthState StateLocked() =>
        !_activeUp ? UpstreamHealthState.Down
        : _ejected ? UpstreamHealthState.Ejected
        : UpstreamHealthState.Up;

    private static int SaturatingIncrement(int value) => value == int.MaxValue ? value : value + 1;
}
