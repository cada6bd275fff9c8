namespace Sluice.Configuration.Binding;

/// <summary>Finds the known word a typo most likely meant, so "unknown key" errors point at the fix.</summary>
internal static class DidYouMean
{
    public static string? Find(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        string? bestPrefix = null;
        var bestPrefixLength = 0;
        var normalizedTyped = Normalize(typed);
        foreach (var candidate in candidates)
        {
            // "Connect-Timeout" for "connect_timeout" is the same word written another way.
            if (Normalize(candidate) == normalizedTyped)
            {
                return candidate;
            }

            var normalized = Normalize(candidate);
            var distance = Distance(normalizedTyped, normalized);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }

            var prefix = CommonPrefixLength(normalizedTyped, normalized);
            if (prefix > bestPrefixLength)
            {
                bestPrefixLength = prefix;
                bestPrefix = candidate;
            }
        }

        // Two edits cover a transposition plus a slip; beyond that unrelated short words start to match.
        var allowed = typed.Length <= 4 ? 1 : 2;
        if (bestDistance <= allowed)
        {
            return best;
        }

        // Longer variants of the same word ("warning", "proxies", "healthcheck") share a long start.
        return bestPrefix is not null && bestPrefixLength >= 4 && bestPrefixLength * 5 >= Math.Min(typed.Length, bestPrefix.Length) * 3
            ? bestPrefix
            : null;
    }

    private static int CommonPrefixLength(string a, string b) => a.AsSpan().CommonPrefixLength(b);

    /// <summary>" (did you mean "x"?)" or nothing, ready to append to a message.</summary>
    public static string Hint(string typed, IEnumerable<string> candidates, string quote = "\"") =>
        Find(typed, candidates) is { } match ? $"; did you mean {quote}{match}{quote}?" : string.Empty;

    private static string Normalize(string text) => text.Replace('-', '_').ToLowerInvariant();

    /// <summary>Optimal string alignment distance: Levenshtein plus adjacent transpositions.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
