using System.CommandLine;
using Sluice.Cli.Bench;

namespace Sluice.Cli.Commands.Bench;

/// <summary>`sluice bench hold TARGET`: hold N idle connections (raw, or firehose clients); with --pid, RSS per connection.</summary>
internal static class HoldCommand
{
    public static Command Create()
    {
        var target = BenchOptions.Target();
        var connections = BenchOptions.Connections(1000, "Connections to open and hold (default 1000; each costs this process one file descriptor)");
        var pid = new Option<int[]>("--pid", "-p")
        {
            Description = "Process(es) whose summed RSS is read before opening and after settling, e.g. the proxy under test; several as 12,13 or repeated",
            CustomParser = r =>
            {
                var pids = new List<int>();
                foreach (var token in r.Tokens)
                {
                    foreach (var part in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0)
                        {
                            pids.Add(id);
                        }
                        else
                        {
                            r.AddError($"--pid: \"{part}\" is not a process id");
                        }
                    }
                }

                return [.. pids];
            },
            AllowMultipleArgumentsPerToken = false,
        };
        var settle = BenchOptions.Duration("--settle", "Wait after opening before reading the RSS (default 2s)");
        var holdFor = BenchOptions.Duration("--hold-for", "Keep the connections open this much longer (default 0)");
        var parallel = new Option<int>("--parallel")
        {
            Description = "Connections being opened at once (default 64)",
            DefaultValueFactory = _ => 64,
            Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--parallel must be at least 1"); } } },
        };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Connections opened, checked and closed before the baseline RSS, so one-time costs (JIT, pools) are not charged per connection (default 0)",
            Validators = { r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--warmup must be 0 or more"); } } },
        };
        var firehose = new Option<bool>("--firehose")
        {
            Description = "The target is a firehose gateway with an echo master: each connection completes the client handshake and one message is echoed",
        };
        var json = BenchOptions.Json();
        var quiet = BenchOptions.Quiet();
        var command = new Command("hold", "Open and hold N idle connections, each checked with one echo; with --pid, that process's RSS per connection")
        {
            target, connections, pid, warmup, settle, holdFor, parallel, firehose, json, quiet,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            HoldLoad? load = null;
            return BenchOutput.RunAsync(
                "hold",
                () => load?.Progress ?? 0,
                async () =>
                {
                    var endpoint = await BenchTarget.ResolveAsync(parse.GetValue(target)!, cancellationToken);
                    load = new HoldLoad(new HoldOptions
                    {
                        Target = endpoint,
                        Connections = parse.GetValue(connections),
                        Parallelism = parse.GetValue(parallel),
                        Warmup = parse.GetValue(warmup),
                        Pids = parse.GetValue(pid) ?? [],
                        Settle = parse.GetValue(settle) ?? TimeSpan.FromSeconds(2),
                        HoldFor = parse.GetValue(holdFor) ?? TimeSpan.Zero,
                        Firehose = parse.GetValue(firehose),
                    });
                    return await load.RunAsync(cancellationToken);
                },
                parse.GetValue(json),
                parse.GetValue(quiet));
        });
        return command;
    }
}
