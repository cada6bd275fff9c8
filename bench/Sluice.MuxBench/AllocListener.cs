using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

internal sealed class AllocListener : EventListener
{
    public readonly ConcurrentDictionary<string, long> Types = new();
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName == "GCAllocationTick_V4" || e.EventName?.StartsWith("GCAllocationTick") == true)
        {
            var name = e.Payload![e.PayloadNames!.IndexOf("TypeName")]?.ToString() ?? "?";
            var size = Convert.ToInt64(e.Payload![e.PayloadNames!.IndexOf("AllocationAmount64")]);
            Types.AddOrUpdate(name, size, (_, v) => v + size);
        }
    }
}
