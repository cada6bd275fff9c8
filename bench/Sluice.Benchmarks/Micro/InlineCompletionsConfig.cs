using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Sluice.Benchmarks.Micro;

/// <summary>
/// Sluice's production setting (socket continuations inline on the epoll thread), a short job to
/// spare the shared 2-core machine, and the memory diagnoser, which counts allocations on every
/// thread (GC.GetTotalAllocatedBytes), so the pump's epoll-thread work is included.
/// </summary>
public sealed class InlineCompletionsConfig : ManualConfig
{
    public InlineCompletionsConfig()
    {
        AddJob(Job.ShortRun.WithEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1"));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
