using System.Threading.Tasks.Sources;

namespace Sluice.Multiplexing;

/// <summary>
/// A reusable auto-reset event for exactly one waiter: <see cref="Set"/> from any thread wakes the
/// waiter (or makes its next wait return at once). Waking never allocates. <see cref="Set"/> runs
/// the waiter's continuation on the thread pool; <see cref="SetInline"/> runs it on the calling
/// thread before returning, which saves a thread hop (and a context switch) per wake-up.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource, IThreadPoolWorkItem
{
    private const int NotSet = 0;
    private const int IsSet = 1;
    private const int Waiting = 2;

    // Completing the core runs the continuation on the completing thread; Set gets the thread
    // pool to do the completing instead.
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
    private int _state;

    /// <summary>Wakes the waiter on the thread pool; safe from any thread, under any lock.</summary>
    public void Set() => Set(inline: false);

    /// <summary>
    /// Wakes the waiter on this thread: its continuation runs until its next pending await before
    /// this returns. Only for callers that hold no lock, and only for waiters that never block.
    /// </summary>
    public void SetInline() => Set(inline: true);

    private void Set(bool inline)
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
                if (inline)
                {
                    _core.SetResult(true);
                }
                else
                {
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
                }

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

    void IThreadPoolWorkItem.Execute() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
