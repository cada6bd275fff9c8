using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Sluice.Admin;

/// <summary>
/// Renames instruments whose OpenTelemetry names turn into Prometheus names that promtool's
/// linter rejects. The runtime's gauges "dotnet.assembly.count", "dotnet.process.cpu.count" and
/// "dotnet.timer.count" become dotnet_*_count, and a "_count" suffix is reserved for histogram and
/// summary series ("non-histogram and non-summary metrics should not have _count suffix").
/// </summary>
internal static class PrometheusNames
{
    private const string CountSuffix = ".count";

    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers.active",
    };

    /// <summary>An OpenTelemetry view: a new name for a gauge-like instrument ending in ".count", else null (unchanged).</summary>
    public static MetricStreamConfiguration? Rename(Instrument instrument)
    {
        var name = instrument.Name;
        if (IsMonotonic(instrument) || !name.EndsWith(CountSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        // Runtime versions add instruments; an unknown one still gets a name promtool accepts.
        var renamed = Known.TryGetValue(name, out var known) ? known : name[..^CountSuffix.Length] + ".current";
        return new MetricStreamConfiguration { Name = renamed };
    }

    // Counters get "_total" appended by the exporter, so "_count_total" is fine for them.
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
