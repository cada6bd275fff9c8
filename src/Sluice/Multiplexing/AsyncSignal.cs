using System.Threading.Tasks.Sources;

namespace Sluice.Multiplexing;

/// <summary>
/// A reusable auto-reset event for exactly one waiter: <see cref="Set"/> from any thread wakes the
/// waiter (or makes its next wait return at once). Waking never allocates, and the waiter's
/// continuation runs on the thread pool, never on the thread that set it (the transport loops).
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private const int NotSet = 0;
    private const int IsSet = 1;
    private const int Waiting = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    public void Set()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == IsSet)
            {
                return;
            }

            if (state == NotSet)
            {
                if (Interlocked.CompareExchange(ref _state, IsSet, NotSet) == NotSet)
                {
                    return;
                }

                continue;
            }

            if (Interlocked.CompareExchange(ref _state, NotSet, Waiting) == Waiting)
            {
                _core.SetResult(true);
                return;
            }
        }
    }

    /// <summary>Waits for the next <see cref="Set"/>; one waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, NotSet, IsSet) == IsSet)
        {
            return default;
        }

        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, NotSet) == NotSet)
        {
            return new ValueTask(this, _core.Version);
        }

        // Set won the race between the two exchanges: consume it.
        Volatile.Write(ref _state, NotSet);
        return default;
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
