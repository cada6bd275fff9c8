namespace Sluice.Balancing;

/// <summary>
/// A hash that is the same in every process (string.GetHashCode is randomized per process), so
/// source-hash affinity survives restarts and agrees between Sluice instances. FNV-1a for the
/// bytes, then the SplitMix64 finalizer so nearby inputs (consecutive IPs) spread over all bits.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var hash = FnvOffset;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return Mix(hash);
    }

    public static ulong Of(string text)
    {
        var hash = FnvOffset;
        foreach (var c in text)
        {
            hash = (hash ^ c) * FnvPrime;
        }

        return Mix(hash);
    }

    public static ulong Mix(ulong value)
    {
        value ^= value >> 30;
        value *= 0xBF58476D1CE4E5B9;
        value ^= value >> 27;
        value *= 0x94D049BB133111EB;
        value ^= value >> 31;
        return value;
    }
}
