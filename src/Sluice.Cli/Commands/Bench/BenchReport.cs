using System.Globalization;
using HdrHistogram;

namespace Sluice.Cli.Commands.Bench;

/// <summary>One mode's result: echoed messages/s and MB/s at the clients, the master's receive rate, CPU (this process, and with --cpu-of the servers'), bytes allocated per echoed message (whole process), round trips.</summary>
internal sealed record BenchReport(double MessagesPerSecond, double MegabytesPerSecond, double? MasterMessagesPerSecond, double CpuCores, double? ServerCpuCores, double AllocatedPerMessage, HistogramBase RoundTrip)
{
    public void Print(string mode)
    {
        var servers = ServerCpuCores is { } s ? string.Create(CultureInfo.InvariantCulture, $", server CPU {s:0.00} cores ({MessagesPerSecond / Math.Max(0.01, s):N0} msg/s per server core)") : string.Empty;
        var master = MasterMessagesPerSecond is { } m ? string.Create(CultureInfo.InvariantCulture, $", client→master {m:N0} msg/s") : string.Empty;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{mode,-8} {MessagesPerSecond,12:N0} msg/s echoed {MegabytesPerSecond,8:N1} MB/s{master}, CPU {CpuCores:0.00} cores ({MessagesPerSecond / Math.Max(0.01, CpuCores):N0} msg/s per core), alloc {AllocatedPerMessage:0.0} B/msg{servers}; round trip µs p50 {RoundTrip.GetValueAtPercentile(50):N0} p90 {RoundTrip.GetValueAtPercentile(90):N0} p99 {RoundTrip.GetValueAtPercentile(99):N0} p99.9 {RoundTrip.GetValueAtPercentile(99.9):N0} max {RoundTrip.GetMaxValue():N0}"));
    }
}
