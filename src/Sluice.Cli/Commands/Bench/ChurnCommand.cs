using System.CommandLine;
using Sluice.Cli.Bench;

namespace Sluice.Cli.Commands.Bench;

/// <summary>`sluice bench churn TARGET`: a new connection per request.</summary>
internal static class ChurnCommand
{
    public static Command Create()
    {
        var target = BenchOptions.Target();
        var connections = BenchOptions.Connections(50, "Concurrent workers, each opening one connection after another (default 50)");
        var size = BenchOptions.Size("--size", 64, "Bytes echoed on each connection; 0 connects and closes only (default 64)", allowZero: true);
        var duration = BenchOptions.Duration("--duration", "How long to run (default 10s unless --count is given)");
        var count = BenchOptions.Count("Connections in all; exactly this many are made");
        var json = BenchOptions.Json();
        var quiet = BenchOptions.Quiet();
        var command = new Command("churn", "New connection per request: connections/s and connect latency")
        {
            target, connections, size, duration, count, json, quiet,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            ChurnLoad? load = null;
            return BenchOutput.RunAsync(
                "churn",
                () => load?.Progress ?? 0,
                async () =>
                {
                    var endpoint = await BenchTarget.ResolveAsync(parse.GetValue(target)!, cancellationToken);
                    load = new ChurnLoad(new ChurnOptions
                    {
                        Target = endpoint,
                        Connections = parse.GetValue(connections),
                        MessageBytes = parse.GetValue(size),
                        Duration = parse.GetValue(duration),
                        Count = parse.GetValue(count),
                    });
                    return await load.RunAsync(cancellationToken);
                },
                parse.GetValue(json),
                parse.GetValue(quiet));
        });
        return command;
    }
}
