namespace Sluice.Transport;

/// <summary>
/// A counting cap on open connections. The limit can change on reload; connections already
/// open above a lowered limit are left alone and new ones wait until the count falls below it.
/// </summary>
public sealed class ConnectionLimiter(int limit)
{
    private int _count;
    private int _limit = limit;

    public int Count => Volatile.Read(ref _count);

    public int Limit
    {
        get => Volatile.Read(ref _limit);
        set => Volatile.Write(ref _limit, value);
    }

    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _count) <= Limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _count);
}
