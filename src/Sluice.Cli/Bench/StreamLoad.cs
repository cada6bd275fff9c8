using System.Net.Sockets;

namespace Sluice.Cli.Bench;

/// <summary>
/// `sluice bench stream`: each stream sends fixed-size chunks from one shared read-only buffer
/// and reads into its own buffer, concurrently. When sending ends (bytes or time), the stream
/// shuts down its sending side and reads until the target closes, so against an echo the bytes
/// received equal the bytes sent and every byte is counted on both sides.
/// </summary>
internal sealed class StreamLoad
{
    private readonly StreamOptions _options;
    private RunBounds? _bounds;
    private long _sent;
    private long _received;

    public StreamLoad(StreamOptions options)
    {
        _options = options;
    }

    public double Progress
    {
        get
        {
            if (_bounds is not { } b)
            {
                return 0;
            }

            var byTime = b.Fraction(0);
            var byBytes = _options.Bytes is { } total && total > 0 ? (double)Volatile.Read(ref _sent) / total : 0;
            return Math.Clamp(Math.Max(byTime, byBytes), 0, 1);
        }
    }

    public long BytesSent => Volatile.Read(ref _sent);

    public long BytesReceived => Volatile.Read(ref _received);

    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var o = _options;
        var sockets = await BenchTarget.ConnectAllAsync(o.Target, o.Connections, parallelism: 32, TimeSpan.FromSeconds(30), cancellationToken);
        var errors = new BenchErrors();
        try
        {
            var chunk = new byte[o.ChunkBytes];
            chunk.AsSpan().Fill((byte)'s');
            var duration = o.Duration ?? (o.Bytes is null || o.Direction == StreamDirection.Down ? TimeSpan.FromSeconds(10) : null);
            var bounds = new RunBounds(duration, count: null, BenchClock.Now);
            _bounds = bounds;

            long sendEnd = 0;
            long receiveEnd = 0;
            var streams = new Task[sockets.Length];
            for (var i = 0; i < sockets.Length; i++)
            {
                var socket = sockets[i];
                var share = o.Bytes is { } total ? (total / sockets.Length) + (i < total % sockets.Length ? 1 : 0) : long.MaxValue;
                streams[i] = Task.Run(async () =>
                {
                    var send = o.Direction == StreamDirection.Down ? Task.CompletedTask : SendAsync(socket, chunk, share, bounds, errors);
                    var receive = ReceiveAsync(socket, o.ChunkBytes, bounds, send, errors);
                    await send;
                    InterlockedMax(ref sendEnd, BenchClock.Now);
                    await receive;
                    InterlockedMax(ref receiveEnd, BenchClock.Now);
                });
            }

            await Task.WhenAll(streams);
            var sendSeconds = BenchClock.Seconds(Math.Max(sendEnd, bounds.Start + 1) - bounds.Start);
            var receiveSeconds = BenchClock.Seconds(Math.Max(receiveEnd, bounds.Start + 1) - bounds.Start);
            return new BenchResult
            {
                Mode = "stream",
                Target = o.Target.ToString(),
                Connections = o.Connections,
                MessageBytes = o.ChunkBytes,
                ElapsedSeconds = Math.Max(sendSeconds, receiveSeconds),
                BytesSent = BytesSent,
                BytesReceived = BytesReceived,
                SendGbitPerSecond = o.Direction == StreamDirection.Down ? null : BytesSent * 8 / sendSeconds / 1e9,
                ReceiveGbitPerSecond = BytesReceived * 8 / receiveSeconds / 1e9,
                Errors = errors.Count,
                FirstError = errors.First,
            };
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private async Task SendAsync(Socket socket, byte[] chunk, long share, RunBounds bounds, BenchErrors errors)
    {
        try
        {
            var left = share;
            while (left > 0 && !bounds.Expired)
            {
                var n = (int)Math.Min(left, chunk.Length);
                await socket.SendAsync(chunk.AsMemory(0, n), SocketFlags.None);
                left -= n;
                Interlocked.Add(ref _sent, n);
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            errors.Add(ex);
        }
    }

    private async Task ReceiveAsync(Socket socket, int bufferSize, RunBounds bounds, Task sending, BenchErrors errors)
    {
        var buffer = new byte[bufferSize];
        using var drain = new CancellationTokenSource();
        try
        {
            if (_options.Direction == StreamDirection.Down)
            {
                // Nothing to send: read until the time or the target's close, then stop.
                drain.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, BenchClock.Seconds(bounds.Deadline - BenchClock.Now))));
            }
            else
            {
                _ = sending.ContinueWith(_ => drain.CancelAfter(_options.DrainTimeout), TaskScheduler.Default);
            }

            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, drain.Token);
                if (n == 0)
                {
                    return;
                }

                Interlocked.Add(ref _received, n);
            }
        }
        catch (OperationCanceledException)
        {
            if (_options.Direction != StreamDirection.Down)
            {
                errors.Add($"the target did not close within {_options.DrainTimeout.TotalSeconds:0.#} s after the last byte was sent");
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            errors.Add(ex);
        }
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
