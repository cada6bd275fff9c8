namespace Sluice.Tunnels.Inspection;

/// <summary>
/// Which captured request headers a replay sends again. Hop-by-hop headers described the user's
/// connection to the edge, not the request (RFC 9110 section 7.6.1), so they go, along with any
/// header the request's own Connection header named; Host is set from the replay target and
/// Content-Length is recomputed from the body the replay actually sends.
/// </summary>
internal static class ReplayHeaders
{
    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection",
        "Keep-Alive",
        "Transfer-Encoding",
        "TE",
        "Trailer",
        "Upgrade",
        "Proxy-Connection",
        "Host",
        "Content-Length",
    };

    public static IReadOnlyList<HeaderField> Select(IReadOnlyList<HeaderField> captured)
    {
        HashSet<string>? named = null;
        foreach (var header in captured)
        {
            if (header.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                named ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var token in header.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    named.Add(token);
                }
            }
        }

        var kept = new List<HeaderField>(captured.Count);
        foreach (var header in captured)
        {
            if (!IsDropped(header.Name) && named?.Contains(header.Name) != true)
            {
                kept.Add(header);
            }
        }

        return kept;
    }

    /// <summary>True when the request carried a body (any framing header), even an empty one.</summary>
    public static bool HadBody(IReadOnlyList<HeaderField> captured) =>
        captured.Any(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));

    private static bool IsDropped(string name) =>
        Dropped.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);
}
