using System.Globalization;
using System.Net;

namespace Sluice.Configuration.Binding;

internal sealed partial class ConfigBinder
{
    private readonly List<AddressSite> _listeners = [];

    private void AddListener(AddressSite site) => _listeners.Add(site);

    /// <summary>
    /// Two listeners on one address would fail at bind time with a less helpful message, or worse,
    /// start half the config; port 0 is exempt because each bind gets its own free port.
    /// </summary>
    private void CheckListenConflicts()
    {
        for (var i = 1; i < _listeners.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (Overlaps(_listeners[i].Address, _listeners[j].Address))
                {
                    var earlier = _listeners[j];
                    _errors.Add(
                        _listeners[i].Location,
                        _listeners[i].Key,
                        $"{_listeners[i].Address} is already used by {earlier.Key} on line {earlier.Location.Line.ToString(CultureInfo.InvariantCulture)}");
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Same port and addresses that would collide when bound: equal IPs, a wildcard (0.0.0.0, ::) and
    /// any address of its family, or "localhost" and a loopback address.
    /// </summary>
    private static bool Overlaps(HostPort a, HostPort b)
    {
        if (a.Port == 0 || a.Port != b.Port)
        {
            return false;
        }

        foreach (var x in BindAddresses(a))
        {
            foreach (var y in BindAddresses(b))
            {
                if (x.Equals(y) || (x.AddressFamily == y.AddressFamily && (IsWildcard(x) || IsWildcard(y))))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IPAddress[] BindAddresses(HostPort address) =>
        address.Ip is { } ip ? [ip] : [IPAddress.Loopback, IPAddress.IPv6Loopback];

    private static bool IsWildcard(IPAddress ip) => ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);
}
