namespace Sluice.Benchmarks.Report;

/// <summary>One number from one tool run: e.g. redis / sluice / round 1 / rps = 51234.</summary>
internal sealed record Measurement(string Workload, string Target, int Round, string Metric, double Value);
