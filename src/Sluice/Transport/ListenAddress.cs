using System.Net;
using Sluice.Configuration;

namespace Sluice.Transport;

/// <summary>The one address a Kestrel listener binds for a configured listen address.</summary>
internal static class ListenAddress
{
    /// <summary>The IP itself, or the first address the name resolves to; <paramref name="what"/> names the setting in the error.</summary>
    public static async Task<IPAddress> ResolveAsync(HostPort listen, string what, CancellationToken cancellationToken)
    {
        if (listen.Ip is { } ip)
        {
            return ip;
        }

        var resolved = await Dns.GetHostAddressesAsync(listen.Host, cancellationToken);
        return resolved.Length > 0 ? resolved[0] : throw new IOException($"{what} host \"{listen.Host}\" resolved to no address");
    }
}
