using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Multiplexing;

// Multiplexer throughput over a loopback socket pair: one stream and N streams, MB/s, next to
// a plain socket copy measured in the same run, plus bytes allocated per MiB carried.
// Usage: dotnet run -c Release --project bench/Sluice.MuxBench -- [MiB per run, default 1024] [rounds, default 3]
var totalMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
const int ChunkSize = 64 * 1024;
var windows = "";

using var allocListener = Environment.GetEnvironmentVariable("MUXBENCH_ALLOC") == "1" ? new AllocListener() : null;
Console.WriteLine($"{totalMiB} MiB per run, best of {rounds}, {ChunkSize / 1024} KiB writes, {Environment.ProcessorCount} cores");
Console.WriteLine($"{"case",-22} {"MB/s",10} {"alloc B/MiB",12}");
Report("plain socket", await BestOfAsync(() => PlainAsync(totalMiB)));
foreach (var streams in new[] { 1, 8 })
{
    Report($"mux, {streams} stream(s)", await BestOfAsync(() => MuxAsync(totalMiB, streams)));
    Console.WriteLine("  " + windows);
}

if (allocListener is not null)
{
    foreach (var (type, bytes) in allocListener.Types.OrderByDescending(kv => kv.Value).Take(15))
    {
        Console.WriteLine($"{bytes,14} {type}");
    }
}

void Report(string name, (double MBps, double AllocPerMiB) r) =>
    Console.WriteLine($"{name,-22} {r.MBps,10:F0} {r.AllocPerMiB,12:F0}");

async Task<(double, double)> BestOfAsync(Func<Task<(double, double)>> run)
{
    await run(); // warm-up
    (double MBps, double Alloc) best = (0, 0);
    for (var i = 0; i < rounds; i++)
    {
        var r = await run();
        if (r.Item1 > best.MBps)
        {
            best = r;
        }
    }

    return best;
}

async Task<(double, double)> PlainAsync(int mib)
{
    var (a, b) = await PairAsync();
    var total = (long)mib * 1024 * 1024;
    var drain = DrainAsync(b, total);
    var buffer = new byte[ChunkSize];
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    for (long sent = 0; sent < total; sent += ChunkSize)
    {
        await a.WriteAsync(buffer);
    }

    await drain;
    watch.Stop();
    var alloc = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    await a.DisposeAsync();
    await b.DisposeAsync();
    return (total / watch.Elapsed.TotalSeconds / 1e6, (double)alloc / mib);
}

async Task<(double, double)> MuxAsync(int mib, int streams)
{
    var (a, b) = await PairAsync();
    var options = new MuxOptions
    {
        MaxFramePayload = EnvInt("MUXBENCH_FRAME", 32 * 1024),
        WriteBatchSize = EnvInt("MUXBENCH_BATCH", 128 * 1024),
    };
    var client = MuxSession.Start(a, isClient: true, options, NullLogger.Instance);
    var server = MuxSession.Start(b, isClient: false, options, NullLogger.Instance);
    var perStream = (long)mib * 1024 * 1024 / streams;
    var opened = new MuxStream[streams];
    var accepted = new MuxStream[streams];
    for (var i = 0; i < streams; i++)
    {
        opened[i] = await client.OpenStreamAsync(CancellationToken.None);
        accepted[i] = (await server.AcceptStreamAsync(CancellationToken.None))!;
    }

    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    var drains = accepted.Select(s => DrainAsync(s, perStream)).ToArray();
    var writes = opened.Select(s => Task.Run(async () =>
    {
        var buffer = new byte[ChunkSize];
        for (long sent = 0; sent < perStream; sent += ChunkSize)
        {
            await s.WriteAsync(buffer);
        }
    })).ToArray();
    await Task.WhenAll(writes);
    await Task.WhenAll(drains);
    watch.Stop();
    var alloc = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    windows = $"avg window {server.AverageStreamWindow / 1024} KiB, growths {server.WindowGrowths}";
    await client.DisposeAsync();
    await server.DisposeAsync();
    return (perStream * streams / watch.Elapsed.TotalSeconds / 1e6, (double)alloc / mib);
}

static int EnvInt(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

static async Task DrainAsync(Stream stream, long expected)
{
    var buffer = new byte[ChunkSize];
    long total = 0;
    while (total < expected)
    {
        var read = await stream.ReadAsync(buffer);
        if (read == 0)
        {
            throw new IOException($"EOF after {total} of {expected} bytes");
        }

        total += read;
    }
}

static async Task<(NetworkStream, NetworkStream)> PairAsync()
{
    using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    listener.Listen(1);
    var dialer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    var accept = listener.AcceptAsync();
    await dialer.ConnectAsync(listener.LocalEndPoint!);
    var acceptor = await accept;
    acceptor.NoDelay = true;
    return (new NetworkStream(dialer, ownsSocket: true), new NetworkStream(acceptor, ownsSocket: true));
}
