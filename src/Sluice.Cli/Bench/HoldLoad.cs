using System.Net.Sockets;

namespace Sluice.Cli.Bench;

/// <summary>
/// `sluice bench hold`: opens N connections, checks each with a one-byte echo (so each is proxied
/// end to end, not just accepted), keeps them all open and idle, and reports how long opening
/// took. With a process id, that process's RSS before and after gives its memory per idle
/// connection, which is what a proxy holding many quiet clients pays.
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
        var sockets = new Socket?[o.Connections];
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
                        sockets[i] = await OpenOneAsync(lane, probe, connect, cancellationToken);
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

            var held = (int)Opened;
            return new BenchResult
            {
                Mode = "hold",
                Target = o.Target.ToString(),
                Connections = o.Connections,
                ElapsedSeconds = openSeconds,
                Held = held,
                OpenSeconds = openSeconds,
                ConnectLatency = connect.Summarize(),
                Pids = o.Pids.Count > 0 ? o.Pids : null,
                RssBeforeBytes = rssBefore,
                RssAfterBytes = rssAfter,
                RssPerConnectionBytes = rssAfter is { } after && rssBefore is { } before && held > 0 ? (double)(after - before) / held : null,
                Errors = _errors.Count,
                FirstError = _errors.First,
            };
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var probe = new byte[2];
        var sockets = new List<Socket>(_options.Warmup);
        var unused = new LatencyRecorder(shards: 1);
        try
        {
            for (var i = 0; i < _options.Warmup && _errors.Count == 0; i++)
            {
                if (await OpenOneAsync(0, probe, unused, cancellationToken) is { } socket)
                {
                    sockets.Add(socket);
                }
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
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

    private async Task<Socket?> OpenOneAsync(int lane, byte[] probe, LatencyRecorder connect, CancellationToken cancellationToken)
    {
        var started = BenchClock.Now;
        Socket? socket = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            socket = await BenchTarget.ConnectAsync(_options.Target, timeout.Token);
            connect.Record(lane, BenchClock.Now - started);
            probe[0] = (byte)('0' + (lane % 10));
            await socket.SendAsync(probe.AsMemory(0, 1), SocketFlags.None, timeout.Token);
            if (await socket.ReceiveAsync(probe.AsMemory(1, 1), SocketFlags.None, timeout.Token) != 1 || probe[1] != probe[0])
            {
                throw new InvalidDataException("the one-byte probe was not echoed");
            }

            Interlocked.Increment(ref _opened);
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or InvalidDataException or OperationCanceledException)
        {
            socket?.Dispose();
            _errors.Add(ex is OperationCanceledException ? $"no echo within {_options.ConnectTimeout.TotalSeconds:0.#} s" : ex.Message);
            return null;
        }
    }
}
