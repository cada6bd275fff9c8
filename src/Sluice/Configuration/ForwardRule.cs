using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Configuration;

/// <summary>
/// One allow_forward entry: destinations an agent may reach through the server. Either a network
/// ("127.0.0.0/8:1-65535", "10.0.0.5:22", "[::1]/128:80") matched against the address actually
/// dialed, or a host name ("db.internal:5432") matched against the name the agent asked for.
/// </summary>
public sealed record ForwardRule
{
    /// <summary>The host name of a name rule (lower case), or null for a network rule.</summary>
    public string? Host { get; init; }

    /// <summary>The network of an address rule.</summary>
    public IPAddress? Network { get; init; }

    public int PrefixLength { get; init; }

    public PortRange Ports { get; init; }

    /// <summary>As written, for logs and errors.</summary>
    public string Text { get; init; } = string.Empty;

    public bool MatchesName(string host, int port) =>
        Host is not null && Ports.Contains(port) && string.Equals(Host, host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    public bool MatchesAddress(IPAddress address, int port)
    {
        if (Network is null || !Ports.Contains(port))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> n = stackalloc byte[16];
        address.TryWriteBytes(a, out var length);
        Network.TryWriteBytes(n, out _);
        var bits = PrefixLength;
        for (var i = 0; i < length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? (byte)0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParse(string text, out ForwardRule? rule, out string? error)
    {
        rule = null;
        error = null;
        string hostPart;
        string portPart;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length)
            {
                error = $"\"{text}\" is not \"[ipv6]/prefix:ports\"";
                return false;
            }

            var after = text[(close + 1)..];
            var prefixEnd = after.IndexOf(':', StringComparison.Ordinal);
            if (prefixEnd < 0)
            {
                error = $"\"{text}\" has no port or port range";
                return false;
            }

            hostPart = text[1..close] + after[..prefixEnd];
            portPart = after[(prefixEnd + 1)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0)
            {
                error = $"\"{text}\" has no port or port range; write \"10.0.0.0/8:1-65535\" or \"host:port\"";
                return false;
            }

            hostPart = text[..colon];
            portPart = text[(colon + 1)..];
            if (hostPart.Contains(':', StringComparison.Ordinal))
            {
                error = $"\"{text}\": write IPv6 networks in brackets, \"[fd00::]/8:443\"";
                return false;
            }
        }

        if (!PortRange.TryParse(portPart, out var ports, out var portError))
        {
            error = portError;
            return false;
        }

        var slash = hostPart.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? hostPart : hostPart[..slash];
        if (IPAddress.TryParse(addressText, out var network))
        {
            var max = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var prefix = max;
            if (slash >= 0 && (!int.TryParse(hostPart[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
            {
                error = $"\"{hostPart}\": the prefix length must be 0-{max.ToString(CultureInfo.InvariantCulture)}";
                return false;
            }

            rule = new ForwardRule { Network = network, PrefixLength = prefix, Ports = ports, Text = text };
            return true;
        }

        if (slash >= 0 || Uri.CheckHostName(hostPart) != UriHostNameType.Dns)
        {
            error = $"\"{hostPart}\" is neither a network (\"10.0.0.0/8\"), an IP address nor a host name";
            return false;
        }

        rule = new ForwardRule { Host = hostPart.TrimEnd('.').ToLowerInvariant(), Ports = ports, Text = text };
        return true;
    }

    public override string ToString() => Text;
}
