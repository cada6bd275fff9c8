namespace Sluice.Telemetry;

/// <summary>
/// Running totals for one route, bumped with Interlocked on the hot path and read by the
/// observable instruments at scrape time, so a forwarded chunk costs one atomic add and no
/// tag lookup. Kept by name across reloads so counters never go backwards.
/// </summary>
public sealed class RouteCounters(string route) : Forwarding.IByteCounter
{
    private long _active;
    private long _total;
    private long _bytesFromClient;
    private long _bytesToClient;

    public string Route { get; } = route;

    public long Active => Volatile.Read(ref _active);

    public long Total => Volatile.Read(ref _total);

    public long BytesFromClient => Volatile.Read(ref _bytesFromClient);

    public long BytesToClient => Volatile.Read(ref _bytesToClient);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _total);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _active);

    public void AddBytesFromClient(long count) => Interlocked.Add(ref _bytesFromClient, count);

    public void AddBytesToClient(long count) => Interlocked.Add(ref _bytesToClient, count);
}
