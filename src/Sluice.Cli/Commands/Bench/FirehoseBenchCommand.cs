using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Cli.Bench;
using Sluice.Configuration;
using Sluice.Hosting;
using Sluice.Transport;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// `sluice bench firehose`: N clients send fixed-size messages through an in-process firehose
/// gateway to an echo master and get them back; then (mode both) the same clients talk to a
/// plain .NET echo server holding N sockets. Reports messages/s, MB/s and round-trip
/// percentiles for each, and their ratio. With <c>--target</c> the clients load a server in
/// another process instead (a `sluice run` gateway, or `bench firehose-server --role direct`),
/// so the two servers are measured alike, apart from the load generator's CPU.
/// </summary>
internal static class FirehoseBenchCommand
{
    public static Command Create()
    {
        var clients = new Option<int>("--clients", "-n") { Description = "Concurrent client connections", DefaultValueFactory = _ => 1000 };
        var size = new Option<int>("--size", "-s") { Description = "Message size in bytes (at least 8: each carries its send time)", DefaultValueFactory = _ => 64 };
        var window = new Option<int>("--window", "-w") { Description = "Messages in flight per client", DefaultValueFactory = _ => 8 };
        var duration = new Option<string>("--duration", "-d") { Description = "Measured time per mode", DefaultValueFactory = _ => "10s" };
        var warmup = new Option<string>("--warmup") { Description = "Unmeasured time before it", DefaultValueFactory = _ => "2s" };
        var mode = new Option<string>("--mode") { Description = "gateway | direct | both", DefaultValueFactory = _ => "both" };
        mode.AcceptOnlyFromAmong("gateway", "direct", "both");
        var target = new Option<string?>("--target") { Description = "host:port of a running server to load instead of in-process ones: a firehose gateway (--mode gateway) or an echo server (--mode direct)" };
        var cpuOf = new Option<int[]>("--cpu-of") { Description = "With --target: process ids of the server(s) under test, whose CPU over the measured time is reported too", AllowMultipleArgumentsPerToken = true };
        var command = new Command("firehose", "Clients → firehose gateway → echo master, next to clients → plain .NET echo server")
        {
            clients, size, window, duration, warmup, mode, target, cpuOf,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationParser.TryParse(parse.GetValue(duration), out var measured, out var error) ||
                !DurationParser.TryParse(parse.GetValue(warmup), out var warm, out error))
            {
                Console.Error.WriteLine(error);
                return 1;
            }

            var settings = new FirehoseBenchSettings(parse.GetValue(clients), Math.Max(8, parse.GetValue(size)), Math.Max(1, parse.GetValue(window)), warm, measured);
            var which = parse.GetValue(mode) ?? "both";
            var external = parse.GetValue(target);
            if (external is not null && which == "both")
            {
                Console.Error.WriteLine("--target needs --mode gateway or --mode direct (one server per run)");
                return 1;
            }

            FileDescriptorLimit.RaiseSoftLimit();
            Console.WriteLine($"firehose bench: {settings.Clients} clients × {settings.Size} B messages, {settings.Window} in flight each, {warm.TotalSeconds:0}s warm-up + {measured.TotalSeconds:0}s measured, {Environment.ProcessorCount} cores");
            BenchReport? gateway = null;
            BenchReport? direct = null;
            if (external is not null)
            {
                IPEndPoint endpoint;
                try
                {
                    endpoint = await BenchTarget.ResolveAsync(external, cancellationToken);
                }
                catch (BenchException ex)
                {
                    Console.Error.WriteLine($"bench: {ex.Message}");
                    return 1;
                }

                var report = await DriveAsync(endpoint, firehose: which == "gateway", settings, null, cancellationToken, parse.GetValue(cpuOf) ?? []);
                report.Print(which);
                return 0;
            }

            if (which is "gateway" or "both")
            {
                gateway = await RunGatewayAsync(settings, cancellationToken);
                gateway.Print("gateway");
            }

            if (which is "direct" or "both")
            {
                direct = await RunDirectAsync(settings, cancellationToken);
                direct.Print("direct");
            }

            if (gateway is not null && direct is not null && direct.MessagesPerSecond > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway / direct message rate: {gateway.MessagesPerSecond / direct.MessagesPerSecond:0.00}"));
            }

            return 0;
        });
        return command;
    }

    private static async Task<BenchReport> RunGatewayAsync(FirehoseBenchSettings settings, CancellationToken cancellationToken)
    {
        await using var master = new BenchEchoMaster();
        await using var gateway = new Gateway(NullLoggerFactory.Instance);
        var errors = await gateway.ApplyAsync(new SluiceConfig
        {
            Firehoses =
            [
                new FirehoseConfig
                {
                    Name = "bench",
                    Listen = [new HostPort("127.0.0.1", 0)],
                    Master = new HostPort("127.0.0.1", master.EndPoint.Port),
                    MaxClients = settings.Clients + 100,
                    ClientQueue = Math.Max(8192, settings.Window * 4),
                },
            ],
        }, cancellationToken);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        var service = gateway.Firehose("bench")!;
        var deadline = Stopwatch.StartNew();
        while (!service.Master.IsConnected && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, cancellationToken);
        }

        var report = await DriveAsync(gateway.EndpointsOf("bench")[0], firehose: true, settings, () => master.Messages, cancellationToken);
        return report;
    }

    private static async Task<BenchReport> RunDirectAsync(FirehoseBenchSettings settings, CancellationToken cancellationToken)
    {
        await using var server = new DirectEchoServer();
        return await DriveAsync(server.EndPoint, firehose: false, settings, null, cancellationToken);
    }

    private static async Task<BenchReport> DriveAsync(IPEndPoint target, bool firehose, FirehoseBenchSettings settings, Func<long>? masterMessages, CancellationToken cancellationToken, int[]? servers = null)
    {
        servers ??= [];
        var stats = new BenchStats();
        var clients = new List<BenchClient>(settings.Clients);
        try
        {
            for (var i = 0; i < settings.Clients; i += 200)
            {
                var batch = await Task.WhenAll(Enumerable.Range(i, Math.Min(200, settings.Clients - i))
                    .Select(_ => BenchClient.ConnectAsync(target, firehose, settings.Size, settings.Window, stats, cancellationToken)));
                clients.AddRange(batch);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var running = clients.Select(c => Task.Run(() => c.RunAsync(stop.Token), CancellationToken.None)).ToArray();
            await Task.Delay(settings.Warmup, cancellationToken);
            var masterBefore = masterMessages?.Invoke() ?? 0;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var serverCpuBefore = ProcessCpu.Seconds(servers);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            using var sampler = AllocationSampler.StartIfAsked();
            stats.Recording = true;
            sampler?.Recording = true;
            var watch = Stopwatch.StartNew();
            await Task.Delay(settings.Duration, cancellationToken);
            stats.Recording = false;
            sampler?.Print();
            var elapsed = watch.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / elapsed;
            double? serverCpu = servers.Length == 0 ? null : (ProcessCpu.Seconds(servers) - serverCpuBefore) / elapsed;
            var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            var masterRate = masterMessages is null ? (double?)null : (masterMessages() - masterBefore) / elapsed;
            await stop.CancelAsync();
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await Task.WhenAll(running);
            return new BenchReport(stats.Messages / elapsed, stats.Bytes / elapsed / 1e6, masterRate, cpu, serverCpu, stats.Messages == 0 ? 0 : (double)allocated / stats.Messages, stats.RoundTrip);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
