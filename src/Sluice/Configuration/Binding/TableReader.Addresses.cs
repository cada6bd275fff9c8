using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

internal sealed partial class TableReader
{
    /// <summary>"host:port" or an array of them; null when absent (callers decide if that is allowed).</summary>
    public List<AddressSite>? Addresses(string key, AddressRole role)
    {
        if (Get(key) is not { } entry)
        {
            return null;
        }

        var keyPath = KeyPath(key);
        var sites = new List<AddressSite>();
        switch (entry.Value)
        {
            case TomlArrayNode { IsTableArray: false } array:
                if (array.Items.Count == 0)
                {
                    Error(array, keyPath, "needs at least one address");
                }

                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (ReadAddress(array.Items[i], $"{keyPath}[{i}]", role) is { } site)
                    {
                        sites.Add(site);
                    }
                }

                break;
            default:
                if (ReadAddress(entry.Value, keyPath, role) is { } single)
                {
                    sites.Add(single);
                }

                break;
        }

        return sites;
    }

    public AddressSite? ReadAddress(TomlNode node, string keyPath, AddressRole role)
    {
        if (node is not TomlScalarNode { Value: string text })
        {
            Error(node, keyPath, $"expected an address string \"host:port\", got {node.Describe()}");
            return null;
        }

        if (!HostPort.TryParse(text, out var address, out var error))
        {
            Error(node, keyPath, error!);
            return null;
        }

        if (role == AddressRole.Listener && address.Ip is null && !IsLocalhost(address.Host))
        {
            Error(node, keyPath, $"\"{text}\": listen on an IP address or \"localhost\"; host names are not resolved for listening");
            return null;
        }

        if (role == AddressRole.Upstream && address.Port == 0)
        {
            Error(node, keyPath, $"\"{text}\": upstream port must be 1-65535");
            return null;
        }

        return new AddressSite(address, node.Location, keyPath);
    }

    public static bool IsLocalhost(string host) => string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);
}
