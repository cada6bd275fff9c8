using System.Net;

namespace Sluice.Firehose;

/// <summary>Counts open connections per remote IP; a limit of 0 admits everyone.</summary>
internal sealed class PerIpLimiter(int limit)
{
    private readonly Dictionary<IPAddress, int> _counts = [];
    private readonly Lock _lock = new();

    public bool TryAcquire(IPAddress ip)
    {
        if (limit == 0)
        {
            return true;
        }

        lock (_lock)
        {
            _counts.TryGetValue(ip, out var count);
            if (count >= limit)
            {
                return false;
            }

            _counts[ip] = count + 1;
            return true;
        }
    }

    public void Release(IPAddress ip)
    {
        if (limit == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_counts.TryGetValue(ip, out var count))
            {
                if (count <= 1)
                {
                    _counts.Remove(ip);
                }
                else
                {
                    _counts[ip] = count - 1;
                }
            }
        }
    }
}
