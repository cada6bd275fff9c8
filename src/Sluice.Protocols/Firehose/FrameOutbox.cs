using System.Buffers;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// A bounded many-writers, one-sender batch of frames for one link. Writers append whole frames
/// under a short lock (<see cref="Enter"/> … <see cref="Exit"/>, never across an await); the
/// sender takes everything written so far in one piece and sends it with one call, so a busy
/// link carries many frames per syscall. Past <c>highWater</c> bytes writers are told to wait
/// (<see cref="WaitForSpaceAsync"/>) until the sender takes the batch: that is the backpressure
/// that stops client readers when the master is slow or away, and what bounds memory to about
/// two batches.
/// </summary>
internal sealed class FrameOutbox
{
    private readonly Lock _lock = new();
    private readonly int _highWater;
    private PooledBufferWriter _current = new();
    private PooledBufferWriter _sending = new();
    private TaskCompletionSource? _dataWaiter;
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
        var waiter = _dataWaiter;
        if (waiter is not null && _current.Length > 0)
        {
            _dataWaiter = null;
        }
        else
        {
            waiter = null;
        }

        var full = _current.Length >= _highWater && !_completed;
        _lock.Exit();
        waiter?.TrySetResult();
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
    /// The sender's side: waits for frames and returns all of them; the memory stays valid until
    /// the next call or <see cref="ReleaseBatch"/>. Empty when completed.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
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
                else if (_completed)
                {
                    _sending.Reset();
                    return default;
                }
                else
                {
                    // Idle: hold no buffer while waiting.
                    _sending.Reset();
                    _current.Reset();
                    _dataWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _dataWaiter.Task;
                    goto Wait;
                }
            }

            space?.TrySetResult();
            return _sending.WrittenMemory;

        Wait:
            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Gives the last taken batch's array back to the pool (the link is idle).</summary>
    public void ReleaseBatch()
    {
        lock (_lock)
        {
            _sending.Reset();
        }
    }

    /// <summary>Drops everything pending (e.g. frames for a master that is gone are kept, but a closed firehose drops them).</summary>
    public void Complete()
    {
        TaskCompletionSource? data;
        TaskCompletionSource? space;
        lock (_lock)
        {
            _completed = true;
            _current.Reset();
            data = _dataWaiter;
            space = _spaceWaiter;
            _dataWaiter = null;
            _spaceWaiter = null;
        }

        data?.TrySetResult();
        space?.TrySetResult();
    }
}
