using System.Runtime.InteropServices;

namespace Sluice.Transport;

/// <summary>
/// The process's open-file limit, and how many proxied connections fit in it. Running into EMFILE
/// is worse than a refused connection: the .NET runtime needs descriptors of its own (a new
/// thread-pool thread takes a pipe), and when it can't get one it aborts the process ("Out of
/// memory.", seen under strace). So Sluice raises the soft limit to the hard one at start, like
/// HAProxy and nginx, and caps connections to leave headroom.
/// </summary>
public static partial class FileDescriptorLimit
{
    /// <summary>Descriptors kept for the runtime, listeners, health checks, the admin endpoint and logs.</summary>
    public const int Reserve = 200;

    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit to the hard limit; returns the soft limit now in force, or null if unknown.</summary>
    public static long? RaiseSoftLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (GetRLimit(RlimitNofile, out var limit) != 0)
        {
            return null;
        }

        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetRLimit(RlimitNofile, raised) == 0)
            {
                return (long)Math.Min(raised.Current, long.MaxValue);
            }
        }

        return (long)Math.Min(limit.Current, long.MaxValue);
    }

    /// <summary>Proxied connections (two descriptors each) that fit beside the reserve; at least 1.</summary>
    public static int MaxProxiedConnections(long openFileLimit) =>
        (int)Math.Clamp((openFileLimit - Reserve) / 2, 1, int.MaxValue);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
