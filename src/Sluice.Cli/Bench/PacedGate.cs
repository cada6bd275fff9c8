using System.Threading.Tasks.Sources;

namespace Sluice.Cli.Bench;

/// <summary>
/// Where an open-loop connection waits for its next request's send time. The pacer releases
/// requests in order; a connection still busy with an earlier one (the target is behind) finds
/// the next already released and sends at once, its latency still counted from the intended time.
/// </summary>
/// <remarks>
/// Reusable (one per connection, nothing allocated per request). Continuations run synchronously
/// on purpose: the connection's send then happens on the pacer thread at the moment it wakes,
/// instead of after a thread-pool hop whose delay would be measured as the target's latency.
/// The continuation only issues a send and a receive, which return at the first pending await.
/// </remarks>
internal sealed class PacedGate : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core;
    private long _released;
    private int _waiting;
    private volatile bool _stopped;

    /// <summary>Pacer: one more request may go.</summary>
    public void Release()
    {
        Interlocked.Increment(ref _released);
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>Pacer: no more requests; a waiting connection wakes with false.</summary>
    public void Stop()
    {
        _stopped = true;
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetResult(false);
        }
    }

    /// <summary>True once request number <paramref name="index"/> (0-based) is released; false when stopped first.</summary>
    public ValueTask<bool> WaitAsync(long index)
    {
        if (Volatile.Read(ref _released) > index)
        {
            return new ValueTask<bool>(true);
        }

        if (_stopped)
        {
            return new ValueTask<bool>(false);
        }

        _core.Reset();
        Interlocked.Exchange(ref _waiting, 1);

        // A release or stop between the checks above and the flag would be missed: look again,
        // and if the flag can be taken back, nobody will complete the core, so answer directly.
        if ((Volatile.Read(ref _released) > index || _stopped) && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            return new ValueTask<bool>(Volatile.Read(ref _released) > index);
        }

        return new ValueTask<bool>(this, _core.Version);
    }

    public bool GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
