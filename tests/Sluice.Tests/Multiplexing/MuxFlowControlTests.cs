using Sluice.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>Per-stream windows, the session memory bound and window auto-grow (docs/protocols/tunnel.md, "Flow control").</summary>
public sealed class MuxFlowControlTests
{
    private const int Window = 1024 * 1024;

    [Fact]
    public async Task A_slow_reader_stalls_only_its_own_stream_while_others_keep_flowing()
    {
        await using var pair = MuxPair.Create();
        var (slowOut, slowIn) = await pair.OpenAsync();
        var (fastOut, fastIn) = await pair.OpenAsync();

        // Nobody reads the slow stream: its writer must stop at the window, not buffer on.
        var slowData = StreamData.Pattern(4 * Window, seed: 7);
        var slowWrite = slowOut.WriteAsync(slowData, TestTimeout.Token).AsTask();

        var fastData = StreamData.Pattern(16 * Window, seed: 8);
        var fastWrite = Task.Run(async () =>
        {
            await StreamData.WriteInChunksAsync(fastOut, fastData, 64 * 1024, TestTimeout.Token);
            await fastOut.CompleteWritesAsync();
        });
        var fastReceived = await StreamData.ReadToEndAsync(fastIn, TestTimeout.Token);
        await fastWrite;

        Assert.Equal(StreamData.Hash(fastData), StreamData.Hash(fastReceived));
        Assert.False(slowWrite.IsCompleted, "the unread stream's write should wait for window");
        Assert.InRange(pair.Server.BufferedBytes, 1, Window);

        // Once its reader drains, the stalled stream completes intact.
        var slowReceived = await StreamData.ReadExactlyAsync(slowIn, slowData.Length, TestTimeout.Token);
        await slowWrite.WaitAsync(TestTimeout.Value);
        Assert.Equal(StreamData.Hash(slowData), StreamData.Hash(slowReceived));
    }

    [Fact]
    public async Task A_stream_opens_with_the_configured_window_not_the_256_KiB_baseline()
    {
        await using var pair = MuxPair.Create(serverOptions: new MuxOptions { StreamWindow = 2 * Window });
        var (opened, accepted) = await pair.OpenAsync();

        var write = opened.WriteAsync(new byte[3 * Window], TestTimeout.Token).AsTask();

        await Poll.UntilAsync(() => pair.Server.BufferedBytes == 2 * Window, "the full 2 MiB window to arrive");
        await Task.Delay(100);
        Assert.Equal(2 * Window, pair.Server.BufferedBytes);
        Assert.False(write.IsCompleted);
        Assert.Equal(2 * Window, accepted.ReceiveWindow);
    }

    [Fact]
    public async Task Session_memory_stays_within_MaxSessionBuffer_under_a_flood_and_the_offending_streams_are_reset()
    {
        const long bound = 4L * Window;
        await using var pair = MuxPair.Create(serverOptions: new MuxOptions { MaxSessionBuffer = bound });
        var streams = new List<(MuxStream Opened, MuxStream Accepted)>();
        for (var i = 0; i < 24; i++)
        {
            streams.Add(await pair.OpenAsync());
        }

        // Every stream writes far more than any window while the server reads nothing.
        var flood = StreamData.Pattern(2 * Window, seed: 3);
        var writes = streams.Select(s => s.Opened.WriteAsync(flood, TestTimeout.Token).AsTask()).ToArray();
        long peak = 0;
        await Poll.UntilAsync(() =>
        {
            peak = Math.Max(peak, pair.Server.BufferedBytes);
            return pair.ServerLog.Entries.Any(e => e.Id.Id == 6008) && writes.Count(w => w.IsFaulted) >= 1;
        }, "a stream beyond the bound to be reset");
        for (var i = 0; i < 20; i++)
        {
            peak = Math.Max(peak, pair.Server.BufferedBytes);
            await Task.Delay(10);
        }

        Assert.InRange(peak, 1, bound);
        Assert.True(pair.Server.ReceiveWindowBytes >= 0);
        Assert.Null(pair.Server.CloseReason);

        // The streams that were granted window still deliver their bytes intact.
        var first = streams[0];
        var received = await StreamData.ReadExactlyAsync(first.Accepted, flood.Length, TestTimeout.Token);
        Assert.Equal(StreamData.Hash(flood), StreamData.Hash(received));
    }

    [Fact]
    public async Task The_window_grows_for_a_fast_reader_on_a_long_path_up_to_MaxStreamWindow()
    {
        var delay = TimeSpan.FromMilliseconds(15);
        var options = new MuxOptions { MaxStreamWindow = 4 * Window };
        await using var pair = MuxPair.Create(
            options,
            options,
            wrapClientTransport: s => new DelayedStream(s, delay),
            wrapServerTransport: s => new DelayedStream(s, delay));
        await WarmUpRoundTripAsync(pair.Server);
        var (opened, accepted) = await pair.OpenAsync();

        var data = StreamData.Pattern(24 * Window, seed: 11);
        var send = Task.Run(async () =>
        {
            await opened.WriteAsync(data, TestTimeout.Token);
            await opened.CompleteWritesAsync();
        });
        var received = await StreamData.ReadToEndAsync(accepted, TestTimeout.Token);
        await send;

        Assert.Equal(StreamData.Hash(data), StreamData.Hash(received));
        Assert.True(pair.Server.WindowGrowths > 0, "a throughput-bound stream should have its window grown");
        Assert.Contains(pair.ServerLog.Entries, e => e.Id.Id == 6013);
        Assert.Equal(4 * Window, accepted.ReceiveWindow);
    }

    [Fact]
    public async Task The_window_does_not_grow_for_a_reader_that_is_the_bottleneck()
    {
        var delay = TimeSpan.FromMilliseconds(5);
        await using var pair = MuxPair.Create(
            wrapClientTransport: s => new DelayedStream(s, delay),
            wrapServerTransport: s => new DelayedStream(s, delay));
        await WarmUpRoundTripAsync(pair.Server);
        var (opened, accepted) = await pair.OpenAsync();

        var data = StreamData.Pattern(3 * Window, seed: 12);
        var send = opened.WriteAsync(data, TestTimeout.Token).AsTask();
        var buffer = new byte[32 * 1024];
        var total = 0;
        while (total < data.Length)
        {
            total += await accepted.ReadAsync(buffer, TestTimeout.Token);
            await Task.Delay(10);
        }

        await send;
        Assert.True(Window == accepted.ReceiveWindow, "grew with a round trip of " + pair.Server.RoundTripTime + ": " + string.Join(" | ", pair.ServerLog.Entries.Select(e => e.Message)));
        Assert.Equal(0, pair.Server.WindowGrowths);
    }

    /// <summary>
    /// A few pings, so the minimum round trip reflects the path rather than a test process still
    /// warming up (a cold first ping can take 100 ms on a 10 ms path).
    /// </summary>
    private static async Task WarmUpRoundTripAsync(MuxSession session)
    {
        for (var i = 0; i < 5; i++)
        {
            await session.PingAsync(TestTimeout.Token);
        }
    }
}
