namespace Sluice.Configuration;

/// <summary>
/// Host names of HTTP tunnels: compared in lower case without a trailing dot, the form routing
/// uses. A bare label ("demo") is a subdomain of the server's domain; a name with a dot is a full host.
/// </summary>
public static class HttpHostName
{
    private const int MaxLength = 253;
    private const int MaxLabel = 63;

    /// <summary>Lower-cases and checks a DNS host name (letters, digits, '-' per label; 1-63 per label, 253 in all).</summary>
    public static bool TryNormalize(string text, out string host, out string? error)
    {
        host = text.Trim().ToLowerInvariant();
        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        error = null;
        if (host.Length is 0 or > MaxLength)
        {
            error = $"\"{text}\" is not a host name: 1-{MaxLength} characters";
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > MaxLabel || label[0] == '-' || label[^1] == '-' || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                error = $"\"{text}\" is not a host name: each dot-separated label is 1-{MaxLabel} letters, digits or '-', not starting or ending with '-'";
                return false;
            }
        }

        return true;
    }

    /// <summary>The full host a claim names: "demo" + "tunnel.example.com" → "demo.tunnel.example.com"; a name with a dot stays itself. Null when a bare label has no domain to go under.</summary>
    public static string? Resolve(string claim, string domain) =>
        claim.Contains('.', StringComparison.Ordinal) ? claim : domain.Length == 0 ? null : $"{claim}.{domain}";

    /// <summary>The routing form of a request's Host header: port dropped, lower case, no trailing dot.</summary>
    public static string FromHeader(string hostHeader)
    {
        var host = hostHeader;
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            host = end > 0 ? host[..(end + 1)] : host;
        }
        else if (host.LastIndexOf(':') is var colon and > 0)
        {
            host = host[..colon];
        }

        return host.TrimEnd('.').ToLowerInvariant();
    }
}
