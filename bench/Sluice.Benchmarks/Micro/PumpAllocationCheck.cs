using System.Globalization;

namespace Sluice.Benchmarks.Micro;

/// <summary>
/// `Sluice.Benchmarks alloc [chunks]`: a quick answer without BenchmarkDotNet's minutes. Forwards
/// chunks through the real pump, warms up, then counts bytes allocated on all threads
/// (GC.GetTotalAllocatedBytes(precise)) over the measured chunks. Run with
/// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 (as sluice runs) or 0 to compare.
/// </summary>
internal static class PumpAllocationCheck
{
    public static async Task<int> RunAsync(string[] args)
    {
        var chunks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        Console.WriteLine($"inline socket completions: {Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "(unset: thread pool)"}");
        foreach (var size in new[] { 64, 1024, 16 * 1024 })
        {
            await using var rig = new PumpRig();
            var chunk = new byte[size];
            var into = new byte[size];
            await rig.ForwardAsync(20_000, chunk, into);

            var before = GC.GetTotalAllocatedBytes(precise: true);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await rig.ForwardAsync(chunks, chunk, into);

            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{size,6} B chunks: {(double)allocated / chunks,8:0.00} bytes allocated per forwarded chunk ({allocated} over {chunks}), {elapsed.TotalMicroseconds / chunks,6:0.0} µs per round trip"));
        }

        return 0;
    }
}
