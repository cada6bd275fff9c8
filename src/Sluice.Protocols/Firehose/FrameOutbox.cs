using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// A bounded many-writers, one-sender batch of frames for one link. Writers append whole frames
/// under a short lock (<see cref="Enter"/> … <see cref="Exit"/>, never across an await); the
/// sender takes everything written so far in one piece and sends it with one call, so a busy
/// link carries many frames per syscall. Past <c>highWater</c> bytes writers are told to wait
/// (<see cref="WaitForSpaceAsync"/>) until the sender takes the batch: that is the backpressure
/// that stops client readers when the master is slow or away, and what bounds memory to about
/// two batches. The sender's wait is one reusable awaitable, so a busy link allocates nothing
/// per batch.
/// </summary>
internal sealed class FrameOutbox : IValueTaskSource<bool>
{
    private readonly Lock _lock = new();
    private readonly int _highWater;
    private ManualResetValueTaskSourceCore<bool> _senderWait = new() { RunContinuationsAsynchronously = true };
    private PooledBufferWriter _current = new();
    private PooledBufferWriter _sending = new();
    private bool _senderWaiting;
    private Action? _senderWake;
    private bool _wakePending;
    private TaskCompletionSource? _spaceWaiter;
    private bool _completed;

    public FrameOutbox(int highWater)
    {
        _highWater = highWater;
    }

    /// <summary>Bytes written and not yet taken by the sender.</summary>
    public int PendingBytes
    {
        get
        {
            lock (_lock)
            {
                return _current.Length;
            }
        }
    }

    /// <summary>Takes the lock and returns the buffer to append frames to; call <see cref="Exit"/> right after.</summary>
    public IBufferWriter<byte> Enter()
    {
        _lock.Enter();
        return _current;
    }

    /// <summary>Releases the lock and wakes the sender; true when the writer should now <see cref="WaitForSpaceAsync"/>.</summary>
    public bool Exit()
    {
        var wake = _senderWaiting && _current.Length > 0;
        Action? senderWake = null;
        if (wake)
        {
            _senderWaiting = false;
            senderWake = _senderWake;
            _senderWake = null;
        }

        var full = _current.Length >= _highWater && !_completed;
        _lock.Exit();
        if (senderWake is not null)
        {
            senderWake();
        }
        else if (wake)
        {
            _senderWait.SetResult(true);
        }

        return full;
    }

    /// <summary>Completes when the sender has taken the pending batch (or the outbox is completed).</summary>
    public Task WaitForSpaceAsync()
    {
        lock (_lock)
        {
            if (_current.Length < _highWater || _completed)
            {
                return Task.CompletedTask;
            }

            _spaceWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _spaceWaiter.Task;
        }
    }

    /// <summary>
    /// Ends the current space wait early, for every writer waiting on it: one of them is closing
    /// and must see that. The others call <see cref="WaitForSpaceAsync"/> again and wait on while
    /// the batch is still full, so memory stays bounded; in exchange a writer needs no cancellable
    /// wait (<c>Task.WaitAsync</c> allocated on every wait under steady backpressure).
    /// </summary>
    public void ReleaseSpaceWaiters()
    {
        TaskCompletionSource? space;
        lock (_lock)
        {
            space = _spaceWaiter;
            _spaceWaiter = null;
        }

        space?.TrySetResult();
    }

    /// <summary>
    /// The sender's side (one sender at a time): waits for frames and returns all of them; the
    /// memory stays valid until the next call. Empty when the outbox is completed or
    /// <see cref="WakeSender"/> was called (the sender's link is going away).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> TakeAsync()
    {
        while (true)
        {
            TaskCompletionSource? space = null;
            lock (_lock)
            {
                if (_current.Length > 0)
                {
                    // Busy: keep the sent batch's array for the next one rather than growing a
                    // fresh one from 16 KiB again.
                    _sending.Clear();
                    (_current, _sending) = (_sending, _current);
                    space = _spaceWaiter;
                    _spaceWaiter = null;
                }
                else
                {
                    // Idle: hold no buffer while waiting.
                    _sending.Reset();
                    _current.Reset();
                    if (_completed || _wakePending)
                    {
                        _wakePending = false;
                        return default;
                    }

                    _senderWait.Reset();
                    _senderWaiting = true;
                }
            }

            if (space is not null || _sending.Length > 0)
            {
                space?.TrySetResult();
                return _sending.WrittenMemory;
            }

            if (!await new ValueTask<bool>(this, _senderWait.Version))
            {
                return default;
            }
        }
    }

    /// <summary>
    /// The sender's side for a sender that is an event loop rather than an awaiting task: returns
    /// every frame written so far (valid until the next take), or empty, and then calls
    /// <paramref name="wake"/> once, after the next write, from the writing thread. A loop that
    /// posts itself from <paramref name="wake"/> thus sends once per turn, however many writers.
    /// </summary>
    public ReadOnlyMemory<byte> TryTake(Action wake)
    {
        TaskCompletionSource? space;
        lock (_lock)
        {
            if (_current.Length == 0)
            {
                _sending.Reset();
                _current.Reset();
                _senderWaiting = !_completed;
                _senderWake = wake;
                return default;
            }

            _sending.Clear();
            (_current, _sending) = (_sending, _current);
            space = _spaceWaiter;
            _spaceWaiter = null;
        }

        space?.TrySetResult();
        return _sending.WrittenMemory;
    }

    /// <summary>
    /// Makes a waiting <see cref="TakeAsync"/> return empty (its link is closing), or the next
    /// one that would wait; pending frames stay. A new sender calls <see cref="ClearWake"/> first.
    /// </summary>
    public void WakeSender()
    {
        bool wake;
        lock (_lock)
        {
            // A loop sender (TryTake) stops on its own; only an awaiting TakeAsync needs waking.
            wake = _senderWaiting && _senderWake is null;
            _senderWaiting = false;
            _senderWake = null;
            _wakePending = !wake;
        }

        if (wake)
        {
            _senderWait.SetResult(false);
        }
    }

    /// <summary>Forgets a wake meant for the previous sender (a new link starts).</summary>
    public void ClearWake()
    {
        lock (_lock)
        {
            _wakePending = false;
        }
    }

    /// <summary>Drops everything pending and ends the sender's and writers' waits: the outbox is done.</summary>
    public void Complete()
    {
        TaskCompletionSource? space;
        lock (_lock)
        {
            _completed = true;
            _current.Reset();
            space = _spaceWaiter;
            _spaceWaiter = null;
        }

        WakeSender();
        space?.TrySetResult();
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _senderWait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _senderWait.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _senderWait.OnCompleted(continuation, state, token, flags);
}
