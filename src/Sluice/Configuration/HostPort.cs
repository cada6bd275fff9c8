using System.Globalization;
using System.Net;

namespace Sluice.Configuration;

/// <summary>
/// "host:port" as written in the config. Host is an IP literal or a DNS name; a name is resolved
/// at connect time, not at load time, so DNS changes are followed.
/// </summary>
public readonly record struct HostPort(string Host, int Port)
{
    /// <summary>The parsed IP when <see cref="Host"/> is a literal, else null.</summary>
    public IPAddress? Ip => IPAddress.TryParse(Host, out var ip) ? ip : null;

    public static bool TryParse(string text, out HostPort value, out string? error)
    {
        value = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "address is empty; expected \"host:port\"";
            return false;
        }

        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"\"{text}\" is not \"[ipv6]:port\"";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = $"\"{host}\" is not an IPv6 address";
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0)
            {
                error = $"\"{text}\" has no port; expected \"host:port\"";
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = $"\"{text}\": write IPv6 addresses in brackets, \"[::1]:port\"";
                return false;
            }

            if (!IsValidHost(host))
            {
                error = $"\"{host}\" is neither an IP address nor a valid host name";
                return false;
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            error = $"\"{portText}\" is not a port number (0-65535)";
            return false;
        }

        value = new HostPort(host, port);
        return true;
    }

    public override string ToString() =>
        Ip is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 }
            ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    private static bool IsValidHost(string host)
    {
        if (IPAddress.TryParse(host, out _))
        {
            return true;
        }

        return Uri.CheckHostName(host) == UriHostNameType.Dns;
    }
}
