using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>
/// A process's resident memory from /proc. smaps_rollup's Rss is exact; VmRSS in status is the
/// fallback (the kernel updates it lazily per thread, so it can lag by a few hundred KiB).
/// </summary>
internal static class ProcessMemory
{
    /// <summary>The summed RSS of <paramref name="pids"/> (a proxy's worker processes).</summary>
    public static long ReadRssBytes(IEnumerable<int> pids) => pids.Sum(ReadRssBytes);

    public static long ReadRssBytes(int pid)
    {
        try
        {
            var rollup = $"/proc/{pid}/smaps_rollup";
            if (File.Exists(rollup) && TryFindKib(File.ReadLines(rollup), "Rss:", out var kib))
            {
                return kib * 1024;
            }

            if (TryFindKib(File.ReadLines($"/proc/{pid}/status"), "VmRSS:", out kib))
            {
                return kib * 1024;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BenchException($"cannot read the memory of process {pid}: {ex.Message}", ex);
        }

        throw new BenchException($"process {pid}: no Rss in /proc/{pid}/smaps_rollup or VmRSS in /proc/{pid}/status");
    }

    /// <summary>Finds "<paramref name="key"/>   12345 kB" among <paramref name="lines"/>.</summary>
    public static bool TryFindKib(IEnumerable<string> lines, string key, out long kib)
    {
        foreach (var line in lines)
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var rest = line.AsSpan(key.Length).Trim();
                var space = rest.IndexOf(' ');
                var number = space < 0 ? rest : rest[..space];
                if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out kib))
                {
                    return true;
                }
            }
        }

        kib = 0;
        return false;
    }
}
