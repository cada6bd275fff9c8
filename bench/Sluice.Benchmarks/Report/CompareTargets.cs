namespace Sluice.Benchmarks.Report;

/// <summary>compare.sh's targets, in table order, and how the report names them.</summary>
internal static class CompareTargets
{
    public static readonly string[] All = ["direct", "haproxy", "nginx1", "nginxauto", "sluice"];

    public static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["direct"] = "direct",
        ["haproxy"] = "HAProxy",
        ["nginx1"] = "nginx (1 worker)",
        ["nginxauto"] = "nginx (auto)",
        ["sluice"] = "Sluice",
    };
}
