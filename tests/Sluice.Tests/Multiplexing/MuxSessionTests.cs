using Sluice.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>The stream lifecycle over an in-memory connection (docs/protocols/tunnel.md, "Stream lifecycle").</summary>
public sealed class MuxSessionTests
{
    [Fact]
    public async Task Open_accept_and_echo_both_ways_keep_bytes_intact_and_in_order()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        var request = StreamData.Pattern(3 * 1024 * 1024 + 17, seed: 1);

        var echo = Task.Run(async () =>
        {
            var buffer = new byte[50_000];
            int read;
            while ((read = await accepted.ReadAsync(buffer, TestTimeout.Token)) > 0)
            {
                await accepted.WriteAsync(buffer.AsMemory(0, read), TestTimeout.Token);
            }

            await accepted.CompleteWritesAsync();
        });

        var send = Task.Run(async () =>
        {
            await StreamData.WriteInChunksAsync(opened, request, 100_000, TestTimeout.Token);
            await opened.CompleteWritesAsync();
        });
        var response = await StreamData.ReadToEndAsync(opened, TestTimeout.Token);
        await send;
        await echo;

        Assert.Equal(StreamData.Hash(request), StreamData.Hash(response));
        Assert.Equal(request.Length, response.Length);
    }

    [Fact]
    public async Task Client_streams_have_odd_ids_and_server_streams_even_ids()
    {
        await using var pair = MuxPair.Create();
        var c1 = await pair.Client.OpenStreamAsync(TestTimeout.Token);
        var c2 = await pair.Client.OpenStreamAsync(TestTimeout.Token);
        var s1 = await pair.Server.OpenStreamAsync(TestTimeout.Token);

        Assert.Equal(1u, c1.Id);
        Assert.Equal(3u, c2.Id);
        Assert.Equal(2u, s1.Id);
        var acceptedByClient = await pair.Client.AcceptStreamAsync(TestTimeout.Token);
        Assert.Equal(2u, acceptedByClient!.Id);
    }

    [Fact]
    public async Task Half_close_ends_one_direction_while_the_other_keeps_flowing()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();

        await opened.WriteAsync("request"u8.ToArray(), TestTimeout.Token);
        await opened.CompleteWritesAsync();

        var received = await StreamData.ReadToEndAsync(accepted, TestTimeout.Token);
        Assert.Equal("request"u8.ToArray(), received);

        // The server's direction is still open after the client's FIN.
        await accepted.WriteAsync("late answer"u8.ToArray(), TestTimeout.Token);
        await accepted.CompleteWritesAsync();
        Assert.Equal("late answer"u8.ToArray(), await StreamData.ReadToEndAsync(opened, TestTimeout.Token));

        await Poll.UntilAsync(() => pair.Client.OpenStreams == 0 && pair.Server.OpenStreams == 0);
    }

    [Fact]
    public async Task Writing_after_half_close_is_refused()
    {
        await using var pair = MuxPair.Create();
        var (opened, _) = await pair.OpenAsync();
        await opened.CompleteWritesAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await opened.WriteAsync(new byte[1], TestTimeout.Token));
    }

    [Fact]
    public async Task Reset_fails_the_peers_pending_read_and_later_writes()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        var pendingRead = accepted.ReadAsync(new byte[10], TestTimeout.Token).AsTask();

        opened.Reset();

        var error = await Assert.ThrowsAsync<MuxException>(() => pendingRead);
        Assert.Contains("reset by the peer", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MuxException>(async () => await accepted.WriteAsync(new byte[1], TestTimeout.Token));
        await Assert.ThrowsAsync<MuxException>(async () => await opened.WriteAsync(new byte[1], TestTimeout.Token));
        await Poll.UntilAsync(() => pair.Client.OpenStreams == 0 && pair.Server.OpenStreams == 0);
    }

    [Fact]
    public async Task Dispose_with_unread_data_resets_the_stream_so_the_writer_stops()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        await opened.WriteAsync(new byte[1000], TestTimeout.Token);
        await Poll.UntilAsync(() => pair.Server.BufferedBytes == 1000);

        await accepted.DisposeAsync();

        await Poll.UntilAsync(() => pair.Server.BufferedBytes == 0 && pair.Client.OpenStreams == 0);
        await Assert.ThrowsAsync<MuxException>(async () => await opened.WriteAsync(new byte[1], TestTimeout.Token));
    }

    [Fact]
    public async Task Dispose_after_reading_everything_sends_fin()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        await opened.WriteAsync("bye"u8.ToArray(), TestTimeout.Token);
        await opened.CompleteWritesAsync();
        Assert.Equal("bye"u8.ToArray(), await StreamData.ReadToEndAsync(accepted, TestTimeout.Token));

        await accepted.DisposeAsync();

        Assert.Empty(await StreamData.ReadToEndAsync(opened, TestTimeout.Token));
        await Poll.UntilAsync(() => pair.Client.OpenStreams == 0 && pair.Server.OpenStreams == 0);
    }

    [Fact]
    public async Task Zero_byte_read_waits_for_data_without_consuming_it()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        var wait = accepted.ReadAsync(Memory<byte>.Empty, TestTimeout.Token).AsTask();
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        await opened.WriteAsync("x"u8.ToArray(), TestTimeout.Token);

        Assert.Equal(0, await wait);
        var buffer = new byte[4];
        Assert.Equal(1, await accepted.ReadAsync(buffer, TestTimeout.Token));
        Assert.Equal((byte)'x', buffer[0]);
    }

    [Fact]
    public async Task A_second_concurrent_read_is_refused()
    {
        await using var pair = MuxPair.Create();
        var (_, accepted) = await pair.OpenAsync();
        var first = accepted.ReadAsync(new byte[10], TestTimeout.Token).AsTask();
        await Task.Delay(20);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => _ = await accepted.ReadAsync(new byte[10], TestTimeout.Token));
        Assert.False(first.IsCompleted);
    }

    [Fact]
    public async Task A_cancelled_read_can_be_followed_by_another_read()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        using var cancel = new CancellationTokenSource(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await accepted.ReadAsync(new byte[10], cancel.Token));
        await opened.WriteAsync("after"u8.ToArray(), TestTimeout.Token);

        Assert.Equal("after"u8.ToArray(), await StreamData.ReadExactlyAsync(accepted, 5, TestTimeout.Token));
    }

    [Fact]
    public async Task Ping_is_answered_and_measures_a_round_trip()
    {
        await using var pair = MuxPair.Create();

        var rtt = await pair.Client.PingAsync(TestTimeout.Token);

        Assert.True(rtt > TimeSpan.Zero);
        Assert.NotNull(pair.Client.RoundTripTime);
    }

    [Fact]
    public async Task Go_away_refuses_new_streams_and_lets_open_ones_finish()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();

        await pair.Server.GoAwayAsync(TestTimeout.Token);
        await Poll.UntilAsync(() => pair.ClientLog.Entries.Any(e => e.Id.Id == 6012));

        var refused = await Assert.ThrowsAsync<MuxException>(async () => await pair.Client.OpenStreamAsync(TestTimeout.Token));
        Assert.Contains("go-away", refused.Message, StringComparison.Ordinal);

        await opened.WriteAsync("still flowing"u8.ToArray(), TestTimeout.Token);
        await opened.CompleteWritesAsync();
        Assert.Equal("still flowing"u8.ToArray(), await StreamData.ReadToEndAsync(accepted, TestTimeout.Token));
        Assert.Null(pair.Client.CloseReason);
    }

    [Fact]
    public async Task Disposing_one_side_ends_both_sessions_and_fails_open_streams()
    {
        var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        var pendingRead = accepted.ReadAsync(new byte[10], TestTimeout.Token).AsTask();
        var pendingAccept = pair.Server.AcceptStreamAsync(TestTimeout.Token).AsTask();

        await pair.Client.DisposeAsync();

        await pair.Server.Completion.WaitAsync(TestTimeout.Value);
        Assert.Null(await pendingAccept);
        await Assert.ThrowsAsync<MuxException>(() => pendingRead);
        Assert.Equal("disposed", pair.Client.CloseReason);
        Assert.NotNull(pair.Server.CloseReason);
        await Assert.ThrowsAsync<MuxException>(async () => await pair.Server.OpenStreamAsync(TestTimeout.Token));
        await Assert.ThrowsAsync<MuxException>(async () => await opened.WriteAsync(new byte[1], TestTimeout.Token));
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task Disposing_a_session_right_after_half_closing_still_delivers_the_bytes_and_the_FIN()
    {
        // A small connection buffer keeps the last batch in flight when Dispose comes, with the
        // FIN still queued behind it.
        await using var pair = MuxPair.Create(pauseBytes: 16 * 1024);
        var (opened, accepted) = await pair.OpenAsync();
        var data = StreamData.Pattern(300_000, seed: 5);

        var send = opened.WriteAsync(data, TestTimeout.Token).AsTask();
        var received = StreamData.ReadToEndAsync(accepted, TestTimeout.Token);
        await send;
        await opened.CompleteWritesAsync();
        await pair.Client.DisposeAsync();

        Assert.Equal(StreamData.Hash(data), StreamData.Hash(await received));
    }

    [Fact]
    public async Task Bytes_that_arrived_before_the_session_ended_stay_readable_then_reads_fail()
    {
        var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        await opened.WriteAsync("arrived"u8.ToArray(), TestTimeout.Token);
        await Poll.UntilAsync(() => pair.Server.BufferedBytes == 7);

        await pair.Client.DisposeAsync();
        await pair.Server.Completion.WaitAsync(TestTimeout.Value);

        Assert.Equal("arrived"u8.ToArray(), await StreamData.ReadExactlyAsync(accepted, 7, TestTimeout.Token));
        var error = await Assert.ThrowsAsync<MuxException>(async () => _ = await accepted.ReadAsync(new byte[1], TestTimeout.Token));
        Assert.Contains("session ended", error.Message, StringComparison.Ordinal);
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task Many_concurrent_streams_each_round_trip_their_own_bytes()
    {
        await using var pair = MuxPair.Create();
        var server = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            for (var i = 0; i < 64; i++)
            {
                var stream = await pair.Server.AcceptStreamAsync(TestTimeout.Token);
                echoes.Add(Task.Run(async () =>
                {
                    await using var s = stream!;
                    await s.CopyToAsync(s, TestTimeout.Token);
                    await s.CompleteWritesAsync();
                }));
            }

            await Task.WhenAll(echoes);
        });

        var clients = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            await using var stream = await pair.Client.OpenStreamAsync(TestTimeout.Token);
            var data = StreamData.Pattern(100_000 + i, seed: i);
            var send = Task.Run(async () =>
            {
                await StreamData.WriteInChunksAsync(stream, data, 7_000, TestTimeout.Token);
                await stream.CompleteWritesAsync();
            });
            var echoed = await StreamData.ReadToEndAsync(stream, TestTimeout.Token);
            await send;
            return StreamData.Hash(data) == StreamData.Hash(echoed);
        })).ToArray();

        Assert.All(await Task.WhenAll(clients), Assert.True);
        await server;
    }
}
