using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sluice.Cli.Bench;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp with microsecond accuracy, for the open-loop
/// pacer. Thread.Sleep rounds to whole milliseconds, and on an open-loop run any lateness of the
/// generator's own timer is counted into the measured latency (it is measured from the intended
/// send time). On Linux, Stopwatch is CLOCK_MONOTONIC in nanoseconds, so the pacer sleeps with
/// clock_nanosleep(TIMER_ABSTIME) after lowering its thread's timer slack from the default 50 µs.
/// </summary>
internal static partial class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int PrSetTimerSlack = 29;
    private const int Eintr = 4;

    private static readonly bool Native = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Call once on the sleeping thread: timer slack 1 µs for this thread only.</summary>
    public static void PrepareThread()
    {
        if (Native)
        {
            _ = Prctl(PrSetTimerSlack, 1000, 0, 0, 0);
        }
    }

    public static void Until(long timestamp)
    {
        if (Native)
        {
            var spec = new Timespec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };
            while (ClockNanosleep(ClockMonotonic, TimerAbsoluteTime, in spec, IntPtr.Zero) == Eintr)
            {
            }

            return;
        }

        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency));
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in Timespec request, IntPtr remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
