using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Multiplexing;

namespace Sluice.IntegrationTests.Multiplexing;

/// <summary>The socket-pair waker that runs the write loop after small writes, and small messages through it.</summary>
public sealed class DeferredWakeTests
{
    [Fact]
    public async Task Wake_runs_the_callback_and_runs_it_again_after_a_later_wake()
    {
        var runs = 0;
        var ran = new SemaphoreSlim(0);
        using var wake = DeferredWake.TryStart(() =>
        {
            Interlocked.Increment(ref runs);
            ran.Release();
        });
        Assert.NotNull(wake);

        Assert.True(wake.Wake());
        Assert.True(await ran.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(wake.Wake());
        Assert.True(await ran.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(Volatile.Read(ref runs) >= 2);
    }

    [Fact]
    public void Wake_after_dispose_returns_false_so_the_caller_wakes_another_way()
    {
        var wake = DeferredWake.TryStart(() => { });
        Assert.NotNull(wake);
        wake.Dispose();

        Assert.False(wake.Wake());
        Assert.False(wake.Wake());
    }

    [Fact]
    public async Task Small_messages_ping_pong_intact_and_in_order_on_many_streams_over_a_socket()
    {
        var (a, b) = await LoopbackSocketPair.CreateAsync();
        await using var client = MuxSession.Start(a, isClient: true, new MuxOptions(), NullLogger.Instance);
        await using var server = MuxSession.Start(b, isClient: false, new MuxOptions(), NullLogger.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // The echo answers each message with a small write (framed into the batch directly, the
        // write loop woken through the socket pair) and ends with the client's half-close.
        var echo = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            while (await server.AcceptStreamAsync(timeout.Token) is { } stream)
            {
                echoes.Add(Task.Run(async () =>
                {
                    await using var s = stream;
                    var buffer = new byte[512];
                    int read;
                    while ((read = await s.ReadAsync(buffer, timeout.Token)) > 0)
                    {
                        await s.WriteAsync(buffer.AsMemory(0, read), timeout.Token);
                    }

                    await s.CompleteWritesAsync();
                }));
            }

            await Task.WhenAll(echoes);
        });

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await using var stream = await client.OpenStreamAsync(timeout.Token);
            var reply = new byte[64];
            for (var round = 0; round < 200; round++)
            {
                var message = System.Text.Encoding.ASCII.GetBytes($"GET stream {i} round {round}\r\n");
                await stream.WriteAsync(message, timeout.Token);
                var got = 0;
                while (got < message.Length)
                {
                    var read = await stream.ReadAsync(reply.AsMemory(got, message.Length - got), timeout.Token);
                    Assert.True(read > 0, "the echo ended early");
                    got += read;
                }

                Assert.Equal(message, reply.AsSpan(0, got).ToArray());
            }

            await stream.CompleteWritesAsync();
            Assert.Equal(0, await stream.ReadAsync(reply, timeout.Token));
        })));

        await client.GoAwayAsync(timeout.Token);
        await client.DisposeAsync();
        await echo.WaitAsync(timeout.Token);
    }

    [Fact]
    public async Task Pipelined_small_writes_past_the_early_flush_and_a_bulk_stream_arrive_intact_and_in_order()
    {
        var (a, b) = await LoopbackSocketPair.CreateAsync();
        await using var client = MuxSession.Start(a, isClient: true, new MuxOptions(), NullLogger.Instance);
        await using var server = MuxSession.Start(b, isClient: false, new MuxOptions(), NullLogger.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // The server side drains every stream it accepts and reports what it read.
        var received = Task.Run(async () =>
        {
            var results = new List<Task<byte[]>>();
            while (results.Count < 2 && await server.AcceptStreamAsync(timeout.Token) is { } stream)
            {
                results.Add(Task.Run(async () =>
                {
                    await using var s = stream;
                    using var all = new MemoryStream();
                    await s.CopyToAsync(all, timeout.Token);
                    return all.ToArray();
                }));
            }

            return await Task.WhenAll(results);
        });

        // Thousands of small messages written back to back (the batch passes the early-flush size
        // while they are framed), with a bulk stream's 8 MiB in flight on the same session.
        var small = new MemoryStream();
        for (var i = 0; i < 5000; i++)
        {
            small.Write(System.Text.Encoding.ASCII.GetBytes($"message {i};"));
        }

        var smallBytes = small.ToArray();
        var bulkBytes = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(bulkBytes);
        await using var smallStream = await client.OpenStreamAsync(timeout.Token);
        await using var bulkStream = await client.OpenStreamAsync(timeout.Token);
        var bulk = Task.Run(async () =>
        {
            await bulkStream.WriteAsync(bulkBytes, timeout.Token);
            await bulkStream.CompleteWritesAsync();
        });
        for (var offset = 0; offset < smallBytes.Length;)
        {
            var length = Math.Min(13, smallBytes.Length - offset);
            await smallStream.WriteAsync(smallBytes.AsMemory(offset, length), timeout.Token);
            offset += length;
        }

        await smallStream.CompleteWritesAsync();
        await bulk;

        var results = await received.WaitAsync(timeout.Token);
        Assert.Contains(results, r => r.AsSpan().SequenceEqual(smallBytes));
        Assert.Contains(results, r => r.AsSpan().SequenceEqual(bulkBytes));
    }

    [Fact]
    public async Task A_session_closes_its_waker_sockets_when_it_ends()
    {
        var (a, b) = await LoopbackSocketPair.CreateAsync();
        var client = MuxSession.Start(a, isClient: true, new MuxOptions(), NullLogger.Instance);
        var server = MuxSession.Start(b, isClient: false, new MuxOptions(), NullLogger.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(client.HoldsWakeSockets);

        await using (var stream = await client.OpenStreamAsync(timeout.Token))
        {
            await stream.WriteAsync("ping"u8.ToArray(), timeout.Token);
        }

        await client.DisposeAsync();
        await server.DisposeAsync();

        Assert.False(client.HoldsWakeSockets);
        Assert.False(server.HoldsWakeSockets);
    }
}
