using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Sluice.Telemetry;

/// <summary>
/// Process-wide gauges the runtime's "System.Runtime" meter lacks or gets wrong: file
/// descriptors (a gateway runs out of them before anything else), the start time, and the thread
/// pool's threads and queue as gauges. One static meter per process, like the runtime's own, so
/// several admin servers or SluiceMetrics in one process never publish the same series twice.
/// </summary>
internal static class ProcessMetrics
{
    public const string MeterName = "Sluice.Process";

    private static readonly Meter Meter = Create();

    /// <summary>Creates the instruments if this is the first call; cheap afterwards.</summary>
    public static void EnsureCreated() => GC.KeepAlive(Meter);

    private static Meter Create()
    {
        var meter = new Meter(MeterName);
        var startTime = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        meter.CreateObservableGauge(
            "process.start_time",
            () => startTime,
            unit: "s",
            description: "Start time of the process since the Unix epoch.");
        meter.CreateObservableGauge(
            "process.open_fds",
            OpenFileDescriptors,
            unit: "{file_descriptor}",
            description: "File descriptors the process holds open (sockets included).");
        meter.CreateObservableGauge(
            "process.max_fds",
            MaxFileDescriptors,
            unit: "{file_descriptor}",
            description: "The process's soft limit on open file descriptors (RLIMIT_NOFILE).");
        meter.CreateObservableGauge(
            "dotnet.thread_pool.threads",
            () => (long)ThreadPool.ThreadCount,
            unit: "{thread}",
            description: "Thread pool threads that exist now.");
        meter.CreateObservableGauge(
            "dotnet.thread_pool.queue.length",
            () => ThreadPool.PendingWorkItemCount,
            unit: "{work_item}",
            description: "Work items queued to the thread pool and not yet started.");
        return meter;
    }

    // Linux only: elsewhere there is no /proc and the gauges report nothing rather than a guess.
    private static IEnumerable<Measurement<long>> OpenFileDescriptors()
    {
        if (!Directory.Exists("/proc/self/fd"))
        {
            return [];
        }

        try
        {
            // The enumeration's own directory handle is counted too, as in Prometheus' Go client.
            return [new Measurement<long>(Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount())];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static IEnumerable<Measurement<long>> MaxFileDescriptors()
    {
        const string prefix = "Max open files";
        try
        {
            if (!File.Exists("/proc/self/limits"))
            {
                return [];
            }

            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft))
                {
                    return [new Measurement<long>(soft)];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        // "unlimited" or unreadable: no sample is better than a made-up number.
        return [];
    }
}
