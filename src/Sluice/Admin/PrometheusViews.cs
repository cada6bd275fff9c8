using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Sluice.Telemetry;

namespace Sluice.Admin;

/// <summary>
/// OpenTelemetry views that make the runtime's instruments come out right in Prometheus, so
/// that /metrics passes <c>promtool check metrics</c> and every series has the type its values
/// have.
/// </summary>
internal static class PrometheusViews
{
    private const string CountSuffix = ".count";

    // The runtime's gauges named "*.count" become dotnet_*_count, and promtool reserves a
    // "_count" suffix for histogram and summary series.
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers.active",
    };

    // The runtime (through .NET 10) publishes these two as observable *counters* although they
    // go down as well as up, so they would be exported as dotnet_*_total counters and rate()
    // over them would be nonsense. ProcessMetrics republishes them as gauges.
    private static readonly HashSet<string> Replaced = new(StringComparer.Ordinal)
    {
        "dotnet.thread_pool.queue.length",
        "dotnet.thread_pool.thread.count",
    };

    /// <summary>
    /// The view for one instrument: dropped, renamed, or null to keep it as it is. Instruments
    /// of a "Sluice" meter other than <paramref name="metrics"/>'s are dropped: OpenTelemetry
    /// selects meters by name only, so another SluiceMetrics in the process (tests run several
    /// gateways at once) would otherwise have its routes merged into this gateway's scrape.
    /// </summary>
    public static MetricStreamConfiguration? Select(Instrument instrument, SluiceMetrics metrics)
    {
        var name = instrument.Name;
        var meter = instrument.Meter;
        if (meter.Name == SluiceMetrics.MeterName && !ReferenceEquals(meter, metrics.Meter))
        {
            return MetricStreamConfiguration.Drop;
        }

        if (meter.Name == AdminServer.RuntimeMeterName && Replaced.Contains(name))
        {
            return MetricStreamConfiguration.Drop;
        }

        // Counters get "_total" appended by the exporter, so "_count_total" is fine for them.
        if (IsMonotonic(instrument) || !name.EndsWith(CountSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        // Runtime versions add instruments; an unknown one still gets a name promtool accepts.
        var renamed = Renamed.TryGetValue(name, out var known) ? known : name[..^CountSuffix.Length] + ".current";
        return new MetricStreamConfiguration { Name = renamed };
    }

    private static bool IsMonotonic(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return false;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>);
    }
}
