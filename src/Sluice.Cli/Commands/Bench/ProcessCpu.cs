using System.Globalization;

namespace Sluice.Cli.Commands.Bench;

/// <summary>CPU time of other processes (the servers under test) from /proc, so a run can report what each server spent over exactly its measured window.</summary>
internal static class ProcessCpu
{
    // USER_HZ: /proc/PID/stat counts in clock ticks, 100 per second on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>User plus system seconds of all <paramref name="pids"/>; a process that is gone counts 0.</summary>
    public static double Seconds(IReadOnlyList<int> pids)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                continue;
            }

            // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }

        return total;
    }
}
