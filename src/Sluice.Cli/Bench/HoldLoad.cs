using System.Net.Sockets;
using Sluice.Client;

namespace Sluice.Cli.Bench;

/// <summary>
/// `sluice bench hold`: opens N connections, checks each with a one-byte echo (so each is proxied
/// end to end, not just accepted), keeps them all open and idle, and reports how long opening
/// took. With a process id, that process's RSS before and after gives its memory per idle
/// connection, which is what a proxy holding many quiet clients pays. With
/// <see cref="HoldOptions.Firehose"/> each connection is a firehose client instead (handshake done,
/// one message echoed by the master), for the gateway's memory per idle client.
/// </summary>
internal sealed class HoldLoad
{
    private readonly HoldOptions _options;
    private readonly BenchErrors _errors = new();
    private long _opened;

    public HoldLoad(HoldOptions options)
    {
        _options = options;
    }

    public long Opened => Volatile.Read(ref _opened);

    public double Progress => (double)Opened / Math.Max(1, _options.Connections);

    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var o = _options;
        if (o.Warmup > 0)
        {
            await WarmUpAsync(cancellationToken);
        }

        var rssBefore = o.Pids.Count > 0 ? ProcessMemory.ReadRssBytes(o.Pids) : (long?)null;
        var held = new IAsyncDisposable?[o.Connections];
        var connect = new LatencyRecorder();
        try
        {
            var start = BenchClock.Now;
            var next = -1;
            var workers = new Task[Math.Min(o.Parallelism, o.Connections)];
            for (var w = 0; w < workers.Length; w++)
            {
                var lane = w;
                workers[w] = Task.Run(async () =>
                {
                    var probe = new byte[2];
                    int i;
                    while (_errors.Count == 0 && (i = Interlocked.Increment(ref next)) < o.Connections)
                    {
                        held[i] = await OpenOneAsync(lane, probe, connect, cancellationToken);
                    }
                }, CancellationToken.None);
            }

            await Task.WhenAll(workers);
            var openSeconds = BenchClock.Seconds(BenchClock.Now - start);
            if (Opened == 0 && _errors.Count > 0)
            {
                throw new BenchException($"cannot connect to {o.Target}: {_errors.First}");
            }

            long? rssAfter = null;
            if (o.Pids.Count > 0)
            {
                await Task.Delay(o.Settle, cancellationToken);
                rssAfter = ProcessMemory.ReadRssBytes(o.Pids);
            }

            if (o.HoldFor > TimeSpan.Zero)
            {
                await Task.Delay(o.HoldFor, cancellationToken);
            }

            var count = (int)Opened;
            return new BenchResult
            {
                Mode = "hold",
                Target = o.Target.ToString(),
                Connections = o.Connections,
                ElapsedSeconds = openSeconds,
                Held = count,
                OpenSeconds = openSeconds,
                ConnectLatency = connect.Summarize(),
                Pids = o.Pids.Count > 0 ? o.Pids : null,
                RssBeforeBytes = rssBefore,
                RssAfterBytes = rssAfter,
                RssPerConnectionBytes = rssAfter is { } after && rssBefore is { } before && count > 0 ? (double)(after - before) / count : null,
                Errors = _errors.Count,
                FirstError = _errors.First,
            };
        }
        finally
        {
            foreach (var connection in held)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var probe = new byte[2];
        var opened = new List<IAsyncDisposable>(_options.Warmup);
        var unused = new LatencyRecorder(shards: 1);
        try
        {
            for (var i = 0; i < _options.Warmup && _errors.Count == 0; i++)
            {
                if (await OpenOneAsync(0, probe, unused, cancellationToken) is { } connection)
                {
                    opened.Add(connection);
                }
            }
        }
        finally
        {
            foreach (var connection in opened)
            {
                await connection.DisposeAsync();
            }
        }

        if (_errors.Count > 0)
        {
            throw new BenchException($"cannot connect to {_options.Target}: {_errors.First}");
        }

        // Let the target see the closes and settle before the baseline.
        Interlocked.Exchange(ref _opened, 0);
        await Task.Delay(_options.Settle, cancellationToken);
    }

    private async Task<IAsyncDisposable?> OpenOneAsync(int lane, byte[] probe, LatencyRecorder connect, CancellationToken cancellationToken)
    {
        var started = BenchClock.Now;
        IAsyncDisposable? connection = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            probe[0] = (byte)('0' + (lane % 10));
            if (_options.Firehose)
            {
                var client = await FirehoseClient.ConnectAsync(_options.Target, cancellationToken: timeout.Token);
                connection = client;
                connect.Record(lane, BenchClock.Now - started);
                await client.SendAsync(probe.AsMemory(0, 1), timeout.Token);
                if (await client.ReceiveAsync(timeout.Token) is not [var echoed] || echoed != probe[0])
                {
                    throw new InvalidDataException("the one-byte probe message was not echoed by the master");
                }
            }
            else
            {
                var socket = await BenchTarget.ConnectAsync(_options.Target, timeout.Token);
                connection = new NetworkStream(socket, ownsSocket: true);
                connect.Record(lane, BenchClock.Now - started);
                await socket.SendAsync(probe.AsMemory(0, 1), SocketFlags.None, timeout.Token);
                if (await socket.ReceiveAsync(probe.AsMemory(1, 1), SocketFlags.None, timeout.Token) != 1 || probe[1] != probe[0])
                {
                    throw new InvalidDataException("the one-byte probe was not echoed");
                }
            }

            Interlocked.Increment(ref _opened);
            return connection;
        }
        catch (Exception ex) when (ex is SocketException or IOException or FirehoseException or InvalidDataException or OperationCanceledException)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            _errors.Add(ex is OperationCanceledException ? $"no echo within {_options.ConnectTimeout.TotalSeconds:0.#} s" : ex.Message);
            return null;
        }
    }
}
