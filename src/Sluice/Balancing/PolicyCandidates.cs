using System.Buffers;
using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>What every policy agrees on: which upstreams may be chosen, and their effective weight.</summary>
internal static class PolicyCandidates
{
    /// <summary>Policies that collect candidates use the stack up to this many upstreams, a pooled array beyond.</summary>
    public const int StackLimit = 64;

    public static bool IsCandidate(Upstream upstream, ReadOnlySpan<Upstream?> tried)
    {
        if (!upstream.IsHealthy)
        {
            return false;
        }

        foreach (var t in tried)
        {
            if (ReferenceEquals(t, upstream))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Config validation rejects weights below 1; clamping here keeps a policy from dividing by zero if one slips through.</summary>
    public static int WeightOf(Upstream upstream) => Math.Max(1, upstream.Weight);

    /// <summary>
    /// Writes the indexes of the candidates into <paramref name="into"/> and returns how many. One pass,
    /// so a policy works on a consistent set even while health flips concurrently.
    /// </summary>
    public static int Collect(Upstream[] upstreams, ReadOnlySpan<Upstream?> tried, Span<int> into)
    {
        var count = 0;
        for (var i = 0; i < upstreams.Length; i++)
        {
            if (IsCandidate(upstreams[i], tried))
            {
                into[count++] = i;
            }
        }

        return count;
    }

    public static int[]? RentIfLarge(int length) => length > StackLimit ? ArrayPool<int>.Shared.Rent(length) : null;

    public static void Return(int[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }
}
