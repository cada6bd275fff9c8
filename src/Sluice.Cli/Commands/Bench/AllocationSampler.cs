using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// With SLUICE_BENCH_ALLOCATIONS=1, samples the runtime's allocation ticks (one per ~100 KB
/// allocated) by type, to find what allocates on a hot path.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _types = new(StringComparer.Ordinal);

    public volatile bool Recording;

    public static AllocationSampler? StartIfAsked() =>
        Environment.GetEnvironmentVariable("SLUICE_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (Recording && eventData.EventName is { } name && name.StartsWith("GCAllocationTick", StringComparison.Ordinal) && eventData.PayloadNames is { } names)
        {
            var index = names.IndexOf("TypeName");
            if (index >= 0 && eventData.Payload?[index] is string type)
            {
                _types.AddOrUpdate(type, 1, static (_, n) => n + 1);
            }
        }
    }

    public void Print()
    {
        foreach (var (type, ticks) in _types.OrderByDescending(t => t.Value).Take(15))
        {
            Console.WriteLine($"  alloc ticks {ticks,6}  {type}");
        }
    }
}
