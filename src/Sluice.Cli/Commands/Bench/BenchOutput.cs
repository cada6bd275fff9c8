using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Bench;
using Spectre.Console;

namespace Sluice.Cli.Commands.Bench;

/// <summary>Runs a load under a progress bar, then prints the result table and writes the JSON.</summary>
internal static class BenchOutput
{
    /// <summary>Exit codes: 0 a clean run, 1 the run could not happen (message on stderr), 2 it ran but some operations failed.</summary>
    public static async Task<int> RunAsync(string title, Func<double> progress, Func<Task<BenchResult>> run, string? jsonPath, bool quiet)
    {
        BenchResult result;
        try
        {
            var work = run();
            if (!quiet && AnsiConsole.Profile.Capabilities.Interactive)
            {
                await AnsiConsole.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask(title, maxValue: 100);
                        while (!work.IsCompleted)
                        {
                            task.Value = progress() * 100;
                            await Task.WhenAny(work, Task.Delay(250));
                        }

                        task.Value = 100;
                    });
            }

            result = await work;
        }
        catch (BenchException ex)
        {
            Console.Error.WriteLine($"bench: {ex.Message}");
            return 1;
        }

        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult));
        }

        if (!quiet)
        {
            AnsiConsole.Write(ResultTable(result));
        }

        if (result.Errors > 0)
        {
            Console.Error.WriteLine($"bench: {result.Errors} operation(s) failed; first: {result.FirstError}");
            return 2;
        }

        return 0;
    }

    public static Table ResultTable(BenchResult r)
    {
        var table = new Table().Title($"sluice bench {r.Mode} → {r.Target}").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string? value)
        {
            if (value is not null)
            {
                table.AddRow(Markup.Escape(name), Markup.Escape(value));
            }
        }

        static string N(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

        Row("connections", r.Connections.ToString(CultureInfo.InvariantCulture));
        Row("message bytes", r.MessageBytes?.ToString(CultureInfo.InvariantCulture));
        Row("target rate (req/s)", r.TargetRate is { } rate ? N(rate, "N0") : null);
        Row("elapsed (s)", N(r.ElapsedSeconds, "0.00"));
        Row("requests", r.Requests?.ToString("N0", CultureInfo.InvariantCulture));
        Row("requests/s", r.RequestsPerSecond is { } rps ? N(rps, "N0") : null);
        Row("connections completed", r.ConnectionsCompleted?.ToString("N0", CultureInfo.InvariantCulture));
        Row("connections/s", r.ConnectionsPerSecond is { } cps ? N(cps, "N0") : null);
        Row("bytes sent", r.BytesSent?.ToString("N0", CultureInfo.InvariantCulture));
        Row("bytes received", r.BytesReceived?.ToString("N0", CultureInfo.InvariantCulture));
        Row("send Gbit/s", r.SendGbitPerSecond is { } sg ? N(sg, "0.00") : null);
        Row("receive Gbit/s", r.ReceiveGbitPerSecond is { } rg ? N(rg, "0.00") : null);
        Row("held", r.Held?.ToString("N0", CultureInfo.InvariantCulture));
        Row("time to open (s)", r.OpenSeconds is { } os ? N(os, "0.00") : null);
        Row("RSS before (KiB)", r.RssBeforeBytes is { } rb ? N(rb / 1024.0, "N0") : null);
        Row("RSS after (KiB)", r.RssAfterBytes is { } ra ? N(ra / 1024.0, "N0") : null);
        Row("RSS per connection (bytes)", r.RssPerConnectionBytes is { } pc ? N(pc, "N0") : null);
        AddLatency(r.Mode == "churn" ? "connection" : "latency", r.Latency);
        AddLatency("connect", r.ConnectLatency);
        Row("generator bytes allocated / request", r.GeneratorBytesAllocatedPerOperation is { } a ? N(a, "0.0") : null);
        Row("errors", r.Errors.ToString(CultureInfo.InvariantCulture));
        Row("first error", r.FirstError);
        return table;

        void AddLatency(string name, LatencySummary? l)
        {
            if (l is null || l.Count == 0)
            {
                return;
            }

            Row($"{name} p50 / p90 (ms)", $"{N(l.P50Ms, "0.000")} / {N(l.P90Ms, "0.000")}");
            Row($"{name} p99 / p99.9 (ms)", $"{N(l.P99Ms, "0.000")} / {N(l.P999Ms, "0.000")}");
            Row($"{name} max / mean (ms)", $"{N(l.MaxMs, "0.000")} / {N(l.MeanMs, "0.000")}");
        }
    }
}
