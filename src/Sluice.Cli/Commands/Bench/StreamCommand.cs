using System.CommandLine;
using Sluice.Cli.Bench;

namespace Sluice.Cli.Commands.Bench;

/// <summary>`sluice bench stream TARGET`: bulk throughput over N streams.</summary>
internal static class StreamCommand
{
    public static Command Create()
    {
        var target = BenchOptions.Target();
        var connections = BenchOptions.Connections(1, "Parallel streams (default 1)");
        var size = BenchOptions.Size("--chunk", 64 * 1024, "Bytes per send call and receive buffer (default 64k)");
        var duration = BenchOptions.Duration("--duration", "How long to send (default 10s unless --bytes is given)");
        var bytes = new Option<string?>("--bytes", "-b") { Description = "Total bytes to send, split over the streams (e.g. 100m)" };
        var direction = new Option<StreamDirection>("--direction")
        {
            Description = "both: send and read the echo back (default); up: send, read whatever returns; down: only read",
            DefaultValueFactory = _ => StreamDirection.Both,
        };
        var json = BenchOptions.Json();
        var quiet = BenchOptions.Quiet();
        var command = new Command("stream", "Bulk transfer over N streams: Gbit/s each way")
        {
            target, connections, size, duration, bytes, direction, json, quiet,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            StreamLoad? load = null;
            return BenchOutput.RunAsync(
                "stream",
                () => load?.Progress ?? 0,
                async () =>
                {
                    long? total = null;
                    if (parse.GetValue(bytes) is { } text)
                    {
                        total = BenchQuantity.TryParseByteCount(text, out var value, out var error) ? value : throw new BenchException($"--bytes: {error}");
                    }

                    var endpoint = await BenchTarget.ResolveAsync(parse.GetValue(target)!, cancellationToken);
                    load = new StreamLoad(new StreamOptions
                    {
                        Target = endpoint,
                        Connections = parse.GetValue(connections),
                        ChunkBytes = parse.GetValue(size),
                        Duration = parse.GetValue(duration),
                        Bytes = total,
                        Direction = parse.GetValue(direction),
                    });
                    return await load.RunAsync(cancellationToken);
                },
                parse.GetValue(json),
                parse.GetValue(quiet));
        });
        return command;
    }
}
