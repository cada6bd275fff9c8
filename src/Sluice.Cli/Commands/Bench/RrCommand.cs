using System.CommandLine;
using Sluice.Cli.Bench;

namespace Sluice.Cli.Commands.Bench;

/// <summary>`sluice bench rr TARGET`: request/response latency and throughput against an echo.</summary>
internal static class RrCommand
{
    public static Command Create()
    {
        var target = BenchOptions.Target();
        var connections = BenchOptions.Connections(50, "Connections, each with one request in flight (default 50)");
        var size = BenchOptions.Size("--size", 64, "Request size; the echo must return as many bytes (default 64)");
        var duration = BenchOptions.Duration("--duration", "How long to measure (default 10s unless --count is given)");
        var count = BenchOptions.Count("Requests in all; the run ends after exactly this many");
        var rate = new Option<double?>("--rate", "-r")
        {
            Description = "Requests per second over all connections, sent on a fixed schedule (open loop); latency then counts from each request's intended send time",
            Validators = { r => { if (r.GetValueOrDefault<double?>() is <= 0) { r.AddError("--rate must be above 0"); } } },
        };
        var warmup = BenchOptions.Duration("--warmup", "Run this long first without recording (default 0)");
        var json = BenchOptions.Json();
        var quiet = BenchOptions.Quiet();
        var command = new Command("rr", "Request/response over N connections to an echo: req/s and latency percentiles")
        {
            target, connections, size, duration, count, rate, warmup, json, quiet,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            RrLoad? load = null;
            return BenchOutput.RunAsync(
                "rr",
                () => load?.Progress ?? 0,
                async () =>
                {
                    var endpoint = await BenchTarget.ResolveAsync(parse.GetValue(target)!, cancellationToken);
                    var countValue = parse.GetValue(count);
                    load = new RrLoad(new RrOptions
                    {
                        Target = endpoint,
                        Connections = parse.GetValue(connections),
                        MessageBytes = parse.GetValue(size),
                        Duration = parse.GetValue(duration) ?? (countValue is null ? TimeSpan.FromSeconds(10) : null),
                        Count = countValue,
                        Rate = parse.GetValue(rate),
                        Warmup = parse.GetValue(warmup) ?? TimeSpan.Zero,
                    });
                    return await load.RunAsync(cancellationToken);
                },
                parse.GetValue(json),
                parse.GetValue(quiet));
        });
        return command;
    }
}
