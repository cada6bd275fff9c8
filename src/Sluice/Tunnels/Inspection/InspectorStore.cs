namespace Sluice.Tunnels.Inspection;

/// <summary>
/// The agent's bounded memory of recent exchanges: at most <c>maxRequests</c> records whose
/// estimated size (captured bodies plus a per-record overhead for headers and fields) stays
/// within <c>maxBytes</c>; the oldest go first. Ids increase by one per record and eviction only
/// takes from the old end, so the ids held are always one contiguous run and a lookup is an index.
/// </summary>
/// <remarks>
/// The newest record is always kept, even when it alone is over <c>maxBytes</c>: an id that
/// <see cref="Add"/> just returned and <see cref="Get"/> cannot find would confuse the page more
/// than one oversized record costs (its bodies are already capped by the edge).
/// </remarks>
public sealed class InspectorStore
{
    /// <summary>A rough cost of a record beyond its bodies and header text: the object, strings, arrays.</summary>
    internal const int RecordOverheadBytes = 512;

    private readonly Lock _lock = new();
    private readonly ExchangeRecord[] _ring;
    private readonly long[] _sizes;
    private readonly long _maxBytes;
    private int _head;
    private int _count;
    private long _firstId = 1;
    private long _lastId;
    private long _bytes;
    private TaskCompletionSource? _newer;

    public InspectorStore(int maxRequests, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRequests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _ring = new ExchangeRecord[maxRequests];
        _sizes = new long[maxRequests];
        _maxBytes = maxBytes;
    }

    /// <summary>The id of the newest record ever added; zero before the first.</summary>
    public long LastId
    {
        get
        {
            lock (_lock)
            {
                return _lastId;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>The estimated bytes held, the figure <c>maxBytes</c> bounds.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>True when someone has called <see cref="WaitForNewerAsync"/> since the last record arrived (tests use it to know a long poll is held).</summary>
    internal bool HasWaiters
    {
        get
        {
            lock (_lock)
            {
                return _newer is not null;
            }
        }
    }

    /// <summary>Stores the record under the next id, evicting the oldest as needed; returns the id.</summary>
    public long Add(ExchangeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var size = EstimateBytes(record);
        TaskCompletionSource? waiters;
        long id;
        lock (_lock)
        {
            id = ++_lastId;
            if (_count == _ring.Length)
            {
                EvictOldest();
            }

            while (_count > 0 && _bytes + size > _maxBytes)
            {
                EvictOldest();
            }

            if (_count == 0)
            {
                _firstId = id;
            }

            var slot = (_head + _count) % _ring.Length;
            _ring[slot] = record with { Id = id };
            _sizes[slot] = size;
            _count++;
            _bytes += size;
            waiters = _newer;
            _newer = null;
        }

        // Outside the lock: the waiters' continuations run asynchronously anyway, but completing
        // a task under a lock is a habit that deadlocks the day someone drops that option.
        waiters?.TrySetResult();
        return id;
    }

    /// <summary>Records with an id above <paramref name="after"/>, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<ExchangeRecord> List(long after = 0, int limit = 100)
    {
        if (limit <= 0)
        {
            return [];
        }

        lock (_lock)
        {
            var newerCount = (int)Math.Clamp(_lastId - Math.Max(after, _firstId - 1), 0, _count);
            var take = Math.Min(newerCount, limit);
            var result = new ExchangeRecord[take];
            for (var i = 0; i < take; i++)
            {
                result[i] = _ring[(_head + _count - 1 - i) % _ring.Length];
            }

            return result;
        }
    }

    /// <summary>The record with this id, or null when it was never added or has been evicted.</summary>
    public ExchangeRecord? Get(long id)
    {
        lock (_lock)
        {
            if (_count == 0 || id < _firstId || id > _lastId)
            {
                return null;
            }

            return _ring[(int)((_head + (id - _firstId)) % _ring.Length)];
        }
    }

    /// <summary>Completes once a record with an id above <paramref name="after"/> exists (at once if one does).</summary>
    public Task WaitForNewerAsync(long after, CancellationToken cancellationToken)
    {
        Task wait;
        lock (_lock)
        {
            if (_lastId > after)
            {
                return Task.CompletedTask;
            }

            _newer ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _newer.Task;
        }

        return wait.WaitAsync(cancellationToken);
    }

    /// <summary>What a record costs the byte budget: bodies, header text (UTF-16) and a fixed overhead.</summary>
    internal static long EstimateBytes(ExchangeRecord record)
    {
        long chars = record.Tunnel.Length + record.Host.Length + record.Method.Length + record.Path.Length
            + record.RemoteAddress.Length + (record.Error?.Length ?? 0);
        foreach (var header in record.RequestHeaders)
        {
            chars += header.Name.Length + header.Value.Length;
        }

        foreach (var header in record.ResponseHeaders)
        {
            chars += header.Name.Length + header.Value.Length;
        }

        return record.RequestBody.Length + record.ResponseBody.Length + (chars * sizeof(char)) + RecordOverheadBytes;
    }

    private void EvictOldest()
    {
        _bytes -= _sizes[_head];
        _ring[_head] = null!;
        _sizes[_head] = 0;
        _head = (_head + 1) % _ring.Length;
        _count--;
        _firstId++;
    }
}
