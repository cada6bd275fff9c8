using System.Globalization;
using System.Text;

namespace Sluice.Benchmarks.Report;

/// <summary>
/// compare.sh --syscalls: `strace -c -f` of a proxy over one untimed run (raw/syscalls.W.T.txt,
/// with the run's request count in raw/syscalls.W.T.requests), as system calls per request.
/// </summary>
internal static class SyscallProfile
{
    /// <summary>strace -c's table: calls is the fourth column, errors (when any) the fifth, the name the last; the "total" row sums them.</summary>
    public static Dictionary<string, (long Calls, long Errors)> ParseStraceSummary(string text)
    {
        var calls = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                && long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                var errors = fields.Length >= 6 && long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : 0;
                calls[fields[^1]] = (count, errors);
            }
        }

        return calls;
    }

    public static string Render(string rawDirectory)
    {
        var sb = new StringBuilder();
        foreach (var path in Directory.EnumerateFiles(rawDirectory, "syscalls.*.txt").Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileName(path).Split('.');
            var requestsPath = Path.ChangeExtension(path, ".requests");
            if (parts.Length != 4 || !File.Exists(requestsPath)
                || !long.TryParse(File.ReadAllText(requestsPath).Trim(), CultureInfo.InvariantCulture, out var requests) || requests <= 0)
            {
                continue;
            }

            var calls = ParseStraceSummary(File.ReadAllText(path));
            if (!calls.TryGetValue("total", out var total))
            {
                continue;
            }

            if (sb.Length == 0)
            {
                sb.AppendLine("### System calls per request (strace -c -f, one untimed run each)");
                sb.AppendLine();
                sb.AppendLine("| workload | proxy | requests | system calls per request | the most frequent, per request |");
                sb.AppendLine("|---|---|---|---|---|");
            }

            var top = calls.Where(c => c.Key != "total").OrderByDescending(c => c.Value.Calls).Take(5)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {(double)c.Value.Calls / requests:0.00}")
                    + ((double)c.Value.Errors / requests >= 0.005 ? string.Create(CultureInfo.InvariantCulture, $" ({(double)c.Value.Errors / requests:0.00} failed, e.g. EAGAIN)") : ""));
            var name = CompareTargets.Names.GetValueOrDefault(parts[2], parts[2]);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {parts[1]} | {name} | {requests:N0} | {(double)total.Calls / requests:0.00} | {string.Join(", ", top)} |");
        }

        return sb.ToString();
    }
}
