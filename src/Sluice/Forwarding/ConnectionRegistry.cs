namespace Sluice.Forwarding;

/// <summary>
/// Every live forwarded connection of the process, in an intrusive list. One timer sweeps it for
/// idle connections (cheaper than a timer or a cancellable read per connection), and drain uses
/// it to wait for connections to finish and to abort those left at the deadline.
/// </summary>
public sealed class ConnectionRegistry : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ITimer _sweeper;
    private TrackedConnection? _head;
    private int _count;
    private TaskCompletionSource? _emptied;

    public ConnectionRegistry(TimeProvider? time = null, TimeSpan? sweepInterval = null)
    {
        var interval = sweepInterval ?? TimeSpan.FromMilliseconds(250);
        _sweeper = (time ?? TimeProvider.System).CreateTimer(_ => SweepIdle(), null, interval, interval);
    }

    public int Count => Volatile.Read(ref _count);

    public void Add(TrackedConnection connection)
    {
        lock (_lock)
        {
            connection.Registry = this;
            connection.Next = _head;
            if (_head is not null)
            {
                _head.Previous = connection;
            }

            _head = connection;
            _count++;
        }
    }

    public void Remove(TrackedConnection connection)
    {
        TaskCompletionSource? emptied = null;
        lock (_lock)
        {
            if (connection.Registry != this)
            {
                return;
            }

            if (connection.Previous is not null)
            {
                connection.Previous.Next = connection.Next;
            }
            else
            {
                _head = connection.Next;
            }

            if (connection.Next is not null)
            {
                connection.Next.Previous = connection.Previous;
            }

            connection.Previous = connection.Next = null;
            connection.Registry = null;
            _count--;
            if (_count == 0)
            {
                emptied = _emptied;
                _emptied = null;
            }
        }

        emptied?.TrySetResult();
    }

    /// <summary>Completes when no connection is left, or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task WaitForEmptyAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (_lock)
        {
            if (_count == 0)
            {
                return;
            }

            _emptied ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _emptied.Task;
        }

        await wait.WaitAsync(cancellationToken);
    }

    /// <summary>Aborts every live connection (the drain deadline has passed).</summary>
    public void AbortAll(CloseReason reason)
    {
        foreach (var connection in Snapshot(static _ => true))
        {
            connection.Abort(reason);
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private void SweepIdle()
    {
        var now = Environment.TickCount64;
        foreach (var connection in Snapshot(c => c.IdleTimeoutMs > 0 && now - c.LastActivityTicks >= c.IdleTimeoutMs))
        {
            connection.Abort(CloseReason.IdleTimeout);
        }
    }

    private List<TrackedConnection> Snapshot(Func<TrackedConnection, bool> predicate)
    {
        // Aborting happens outside the lock: Abort closes sockets, and Remove takes the lock.
        var result = new List<TrackedConnection>();
        lock (_lock)
        {
            for (var c = _head; c is not null; c = c.Next)
            {
                if (predicate(c))
                {
                    result.Add(c);
                }
            }
        }

        return result;
    }
}
