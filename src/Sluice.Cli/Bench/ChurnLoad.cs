using System.Net.Sockets;

namespace Sluice.Cli.Bench;

/// <summary>
/// `sluice bench churn`: each worker connects, sends one message, reads its echo, shuts down its
/// sending side, waits for the target's close and closes, then starts over. That is a full
/// connection life through a proxy (accept, dial, forward, half-close both ways), as `ab` without
/// keep-alive does. Reports connections per second, connect latency and whole-connection latency.
/// </summary>
internal sealed class ChurnLoad
{
    private readonly ChurnOptions _options;
    private readonly BenchErrors _errors = new();
    private RunBounds? _bounds;
    private long _completed;

    public ChurnLoad(ChurnOptions options)
    {
        _options = options;
    }

    public double Progress => _bounds?.Fraction(Completed) ?? 0;

    public long Completed => Volatile.Read(ref _completed);

    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var o = _options;
        var bounds = new RunBounds(o.Duration ?? (o.Count is null ? TimeSpan.FromSeconds(10) : null), o.Count, BenchClock.Now);
        _bounds = bounds;
        var connect = new LatencyRecorder();
        var whole = new LatencyRecorder();
        var workers = new Task[o.Connections];
        for (var w = 0; w < workers.Length; w++)
        {
            var lane = w;
            workers[w] = Task.Run(() => WorkAsync(lane, bounds, connect, whole, cancellationToken), CancellationToken.None);
        }

        await Task.WhenAll(workers);
        var elapsed = BenchClock.Seconds(BenchClock.Now - bounds.Start);
        if (Completed == 0 && _errors.Count > 0)
        {
            throw new BenchException($"cannot connect to {o.Target}: {_errors.First}");
        }

        return new BenchResult
        {
            Mode = "churn",
            Target = o.Target.ToString(),
            Connections = o.Connections,
            MessageBytes = o.MessageBytes,
            ElapsedSeconds = elapsed,
            ConnectionsCompleted = Completed,
            ConnectionsPerSecond = Completed / elapsed,
            ConnectLatency = connect.Summarize(),
            Latency = whole.Summarize(),
            Errors = _errors.Count,
            FirstError = _errors.First,
        };
    }

    private async Task WorkAsync(int lane, RunBounds bounds, LatencyRecorder connectLatency, LatencyRecorder wholeLatency, CancellationToken cancellationToken)
    {
        var size = _options.MessageBytes;
        var buffer = new byte[Math.Max(1, size * 2)];
        buffer.AsSpan(0, size).Fill((byte)('A' + (lane % 26)));
        var timeout = new CancellationTokenSource();
        try
        {
            while (bounds.TryClaim())
            {
                var start = BenchClock.Now;
                var socket = new Socket(_options.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (!timeout.TryReset())
                    {
                        timeout.Dispose();
                        timeout = new CancellationTokenSource();
                    }

                    timeout.CancelAfter(_options.ConnectTimeout);
                    using (cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout))
                    {
                        await socket.ConnectAsync(_options.Target, timeout.Token);
                    }

                    connectLatency.Record(lane, BenchClock.Now - start);
                    if (size > 0)
                    {
                        await socket.SendAsync(buffer.AsMemory(0, size), SocketFlags.None);
                        await ReceiveExactlyAsync(socket, buffer.AsMemory(size, size));
                        if (!buffer.AsSpan(size, size).SequenceEqual(buffer.AsSpan(0, size)))
                        {
                            throw new InvalidDataException("the response is not the echo of the request");
                        }
                    }

                    socket.Shutdown(SocketShutdown.Send);
                    if (await socket.ReceiveAsync(buffer.AsMemory(0, 1), SocketFlags.None) != 0)
                    {
                        throw new InvalidDataException("the target sent more than the echo");
                    }

                    wholeLatency.Record(lane, BenchClock.Now - start);
                    Interlocked.Increment(ref _completed);
                }
                catch (OperationCanceledException)
                {
                    _errors.Add($"connect timed out after {_options.ConnectTimeout.TotalSeconds:0.#} s");
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is SocketException or InvalidDataException or ObjectDisposedException)
                {
                    _errors.Add(ex is SocketException se ? se.Message : ex.Message);
                    if (Completed == 0 && ex is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
                    {
                        return;
                    }
                }
                finally
                {
                    socket.Dispose();
                }
            }
        }
        finally
        {
            timeout.Dispose();
        }
    }

    private static async ValueTask ReceiveExactlyAsync(Socket socket, Memory<byte> into)
    {
        var received = 0;
        while (received < into.Length)
        {
            var n = await socket.ReceiveAsync(into[received..], SocketFlags.None);
            if (n == 0)
            {
                throw new InvalidDataException($"connection closed by the target after {received} of {into.Length} echoed bytes");
            }

            received += n;
        }
    }
}
