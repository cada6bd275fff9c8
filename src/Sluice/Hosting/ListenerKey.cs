using Sluice.Configuration;

namespace Sluice.Hosting;

/// <summary>
/// Identifies a listener across reloads: the same kind on the same configured address keeps its
/// socket, even when the route is renamed (binding it anew would fail: the old one holds it).
/// Port 0 means "any port", so there the owner's name tells listeners apart.
/// </summary>
internal readonly record struct ListenerKey(string Kind, string Owner, HostPort Address)
{
    public static ListenerKey For(string kind, string owner, HostPort address) =>
        new(kind, address.Port == 0 ? owner : "", address);
}
