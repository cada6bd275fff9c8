using Sluice.Multiplexing;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>
/// A misbehaving peer: each violation closes the offending stream (RST) or the session (go-away
/// with protocol error) with a logged reason, and what is not at fault keeps serving
/// (docs/protocols/tunnel.md, "Errors").
/// </summary>
public sealed class MuxBadInputTests
{
    private const uint Baseline = 256 * 1024;

    [Theory]
    [InlineData(new byte[] { 7, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, "unsupported protocol version 7")]
    [InlineData(new byte[] { 0, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, "unknown frame type 9")]
    [InlineData(new byte[] { 0, 2, 0, 1, 0, 0, 0, 5, 0, 0, 0, 1 }, "ping on stream 5 (pings belong to stream 0)")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "Data frame on stream 0")]
    public async Task Garbage_ends_the_session_with_go_away_protocol_error_and_a_reason(byte[] garbage, string reason)
    {
        await using var peer = RawPeer.Create();

        await peer.SendRawAsync(garbage);

        var frames = await peer.ReadUntilEofAsync();
        Assert.Contains(frames, f => f.Type == FrameType.GoAway && f.Length == (uint)GoAwayCode.ProtocolError);
        await peer.Session.Completion.WaitAsync(TestTimeout.Value);
        Assert.Equal("protocol error: " + reason, peer.Session.CloseReason);
        Assert.Contains(peer.Log.Entries, e => e.Id.Id == 6003 && e.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(12 + 100)]
    public async Task A_truncated_frame_ends_the_session_when_the_transport_closes(int sentBytes)
    {
        await using var peer = RawPeer.Create();
        await peer.OpenAsync(1);
        var frame = new byte[12 + 1000];
        new FrameHeader(FrameType.Data, FrameFlags.None, 1, 1000).Write(frame);

        await peer.SendRawAsync(frame[..sentBytes]);
        peer.CloseWire();

        await peer.Session.Completion.WaitAsync(TestTimeout.Value);
        Assert.Equal("transport closed in the middle of a frame", peer.Session.CloseReason);
    }

    [Fact]
    public async Task Window_overflow_resets_only_that_stream()
    {
        await using var peer = RawPeer.Create();
        await peer.OpenAsync(1);
        await peer.OpenAsync(3);
        var first = await peer.Session.AcceptStreamAsync(TestTimeout.Token);
        var second = await peer.Session.AcceptStreamAsync(TestTimeout.Token);

        // Stream 1 was accepted with a 1 MiB window; one byte more overflows it.
        await peer.SendDataAsync(1, new byte[(1024 * 1024) + 1]);

        await peer.ExpectAsync(f => f.StreamId == 1 && f.HasFlag(FrameFlags.Rst), "RST of stream 1");
        Assert.Contains(peer.Log.Entries, e => e.Id.Id == 6007);
        await Assert.ThrowsAsync<MuxException>(async () => _ = await first!.ReadAsync(new byte[1], TestTimeout.Token));

        await peer.SendDataAsync(3, "fine"u8.ToArray());
        Assert.Equal("fine"u8.ToArray(), await StreamData.ReadExactlyAsync(second!, 4, TestTimeout.Token));
        Assert.Null(peer.Session.CloseReason);
        Assert.Equal(0, peer.Session.BufferedBytes);
    }

    [Fact]
    public async Task Overflowing_the_baseline_window_before_accept_resets_the_stream()
    {
        await using var peer = RawPeer.Create();
        await peer.OpenAsync(1);

        await peer.SendDataAsync(1, new byte[Baseline + 1]);

        await peer.ExpectAsync(f => f.StreamId == 1 && f.HasFlag(FrameFlags.Rst), "RST of stream 1");
        Assert.Equal(0, peer.Session.BufferedBytes);
    }

    [Fact]
    public async Task A_stream_id_reused_while_open_ends_the_session()
    {
        await using var peer = RawPeer.Create();
        await peer.OpenAsync(1);
        await peer.OpenAsync(1);

        var frames = await peer.ReadUntilEofAsync();

        Assert.Contains(frames, f => f.Type == FrameType.GoAway && f.Length == (uint)GoAwayCode.ProtocolError);
        Assert.Equal("protocol error: stream id 1 reused while that stream is open", peer.Session.CloseReason);
    }

    [Fact]
    public async Task A_stream_opened_with_the_wrong_id_parity_ends_the_session()
    {
        await using var peer = RawPeer.Create();

        await peer.OpenAsync(2);

        await peer.ReadUntilEofAsync();
        Assert.Equal("protocol error: the peer opened stream 2 with this side's id parity", peer.Session.CloseReason);
    }

    [Fact]
    public async Task Data_for_a_stream_never_opened_ends_the_session()
    {
        await using var peer = RawPeer.Create();

        await peer.SendDataAsync(5, new byte[10]);

        await peer.ReadUntilEofAsync();
        Assert.Equal("protocol error: Data frame for stream 5, which was never opened", peer.Session.CloseReason);
    }

    [Fact]
    public async Task Data_still_in_flight_for_a_reset_stream_is_discarded_and_the_session_serves_on()
    {
        await using var peer = RawPeer.Create();
        await peer.OpenAsync(1);
        var stream = await peer.Session.AcceptStreamAsync(TestTimeout.Token);
        stream!.Reset();
        await peer.ExpectAsync(f => f.StreamId == 1 && f.HasFlag(FrameFlags.Rst), "RST of stream 1");

        await peer.SendDataAsync(1, new byte[50_000]);
        await peer.OpenAsync(3);
        var next = await peer.Session.AcceptStreamAsync(TestTimeout.Token);
        await peer.SendDataAsync(3, "ok"u8.ToArray());

        Assert.Equal("ok"u8.ToArray(), await StreamData.ReadExactlyAsync(next!, 2, TestTimeout.Token));
        Assert.Null(peer.Session.CloseReason);
        Assert.Equal(0, peer.Session.BufferedBytes);
    }

    [Fact]
    public async Task Data_after_the_application_closed_the_stream_resets_it_and_costs_no_buffer()
    {
        await using var peer = RawPeer.Create();
        await peer.OpenAsync(1);
        var stream = await peer.Session.AcceptStreamAsync(TestTimeout.Token);
        await stream!.DisposeAsync();
        await peer.ExpectAsync(f => f.StreamId == 1 && f.HasFlag(FrameFlags.Fin), "FIN of stream 1");
        Assert.Equal(0, peer.Session.ReceiveWindowBytes);

        await peer.SendDataAsync(1, new byte[10_000]);

        await peer.ExpectAsync(f => f.StreamId == 1 && f.HasFlag(FrameFlags.Rst), "RST of stream 1");
        Assert.Equal(0, peer.Session.BufferedBytes);
        Assert.Equal(0, peer.Session.OpenStreams);
        Assert.Null(peer.Session.CloseReason);
    }

    [Fact]
    public async Task A_closed_stream_the_peer_never_finishes_is_reset_after_the_close_timeout()
    {
        await using var peer = RawPeer.Create(new MuxOptions { StreamCloseTimeout = TimeSpan.FromMilliseconds(200) });
        await peer.OpenAsync(1);
        var stream = await peer.Session.AcceptStreamAsync(TestTimeout.Token);

        await stream!.DisposeAsync();

        await peer.ExpectAsync(f => f.StreamId == 1 && f.HasFlag(FrameFlags.Rst), "RST after the close timeout");
        Assert.Equal(0, peer.Session.OpenStreams);
    }

    [Fact]
    public async Task A_data_frame_larger_than_any_window_ends_the_session()
    {
        await using var peer = RawPeer.Create(new MuxOptions { MaxStreamWindow = 2 * 1024 * 1024 });
        await peer.OpenAsync(1);

        await peer.SendAsync(FrameType.Data, FrameFlags.None, 1, (2 * 1024 * 1024) + 1);

        await peer.ReadUntilEofAsync();
        Assert.StartsWith("protocol error: data frame of 2097153 bytes is larger than the largest window", peer.Session.CloseReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_SYN_flood_beyond_the_accept_backlog_is_refused_with_RST_and_accepted_streams_still_work()
    {
        await using var peer = RawPeer.Create(new MuxOptions { AcceptBacklog = 8 });
        for (uint id = 1; id < 2 * 20; id += 2)
        {
            await peer.OpenAsync(id);
        }

        var resets = new HashSet<uint>();
        while (resets.Count < 12)
        {
            var frame = await peer.ExpectAsync(f => f.HasFlag(FrameFlags.Rst), "RSTs for the streams beyond the backlog");
            resets.Add(frame.StreamId);
        }

        Assert.Equal(Enumerable.Range(8, 12).Select(i => (uint)(2 * i) + 1), resets.Order());
        Assert.Contains(peer.Log.Entries, e => e.Id.Id == 6005);
        for (var i = 0; i < 8; i++)
        {
            var stream = await peer.Session.AcceptStreamAsync(TestTimeout.Token);
            Assert.Equal((uint)(2 * i) + 1, stream!.Id);
        }

        await peer.SendDataAsync(15, "last in backlog"u8.ToArray());
        Assert.Null(peer.Session.CloseReason);
    }

    [Fact]
    public async Task A_peer_that_floods_pings_without_reading_is_disconnected_not_buffered_for()
    {
        await using var peer = RawPeer.Create(new MuxOptions { MaxQueuedControlFrames = 1000 }, pauseBytes: 64 * 1024);
        var ping = new byte[FrameHeader.Size];
        new FrameHeader(FrameType.Ping, FrameFlags.Syn, 0, 1).Write(ping);
        var flood = new byte[ping.Length * 20_000];
        for (var i = 0; i < 20_000; i++)
        {
            ping.CopyTo(flood, i * ping.Length);
        }

        var sending = peer.SendRawAsync(flood);

        await peer.Session.Completion.WaitAsync(TestTimeout.Value);
        Assert.StartsWith("protocol error: more than 1000 control frames queued unsent", peer.Session.CloseReason, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => sending.WaitAsync(TestTimeout.Value));
    }

    [Fact]
    public async Task A_peer_that_stops_answering_is_closed_after_the_keepalive_timeout()
    {
        var options = new MuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromMilliseconds(300) };
        await using var peer = RawPeer.Create(options);

        await peer.Session.Completion.WaitAsync(TestTimeout.Value);

        Assert.Equal("keepalive timeout", peer.Session.CloseReason);
        Assert.Contains(peer.Log.Entries, e => e.Id.Id == 6010);
    }

    [Fact]
    public async Task A_peer_that_keeps_sending_but_stopped_reading_is_closed_after_the_keepalive_timeout()
    {
        var options = new MuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromMilliseconds(300) };
        await using var peer = RawPeer.Create(options, sessionIsClient: true, pauseBytes: 16 * 1024);
        var stream = await peer.Session.OpenStreamAsync(TestTimeout.Token);
        _ = stream.WriteAsync(new byte[200 * 1024], TestTimeout.Token).AsTask();

        // The peer sends a frame every 20 ms (so it is not silent) but reads nothing.
        while (!peer.Session.Completion.IsCompleted)
        {
            try
            {
                await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.None, stream.Id, 0);
            }
            catch (IOException)
            {
                // The session closed the link; it completes right after (the reason says why).
                break;
            }

            await Task.WhenAny(peer.Session.Completion, Task.Delay(20));
        }

        await peer.Session.Completion.WaitAsync(TestTimeout.Value);
        Assert.Equal("keepalive timeout", peer.Session.CloseReason);
    }

    [Fact]
    public async Task A_late_ping_answer_on_a_link_that_keeps_delivering_does_not_end_the_session()
    {
        // The timeout is generous against this sender's own pauses on a loaded machine (a 20 ms
        // delay once stretched past 1 s in a full parallel run); the run outlasts it.
        var options = new MuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromSeconds(3) };
        await using var peer = RawPeer.Create(options);
        peer.AnswerPings = false;
        var reader = Task.Run(async () =>
        {
            while (await peer.ReadFrameAsync() is not null)
            {
            }
        });

        // Frames keep arriving and the session's writes complete: the ping is just late.
        var until = DateTime.UtcNow.AddSeconds(4.5);
        for (uint i = 0; DateTime.UtcNow < until && peer.Session.CloseReason is null; i++)
        {
            await peer.SendAsync(FrameType.Ping, FrameFlags.Syn, 0, i);
            await Task.Delay(20);
        }

        Assert.Null(peer.Session.CloseReason);
    }

    [Fact]
    public async Task Keepalive_answers_keep_the_session_open()
    {
        var options = new MuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(50), KeepAliveTimeout = TimeSpan.FromMilliseconds(200) };
        await using var peer = RawPeer.Create(options);
        var reader = Task.Run(async () =>
        {
            while (await peer.ReadFrameAsync() is not null)
            {
            }
        });

        await Poll.UntilAsync(() => peer.PingsAnswered >= 5, "five keepalive pings");

        Assert.Null(peer.Session.CloseReason);
    }

    [Fact]
    public async Task A_stream_the_peer_never_acknowledges_is_reset_after_the_open_timeout()
    {
        var options = new MuxOptions { StreamOpenTimeout = TimeSpan.FromMilliseconds(200) };
        await using var peer = RawPeer.Create(options, sessionIsClient: true);
        var stream = await peer.Session.OpenStreamAsync(TestTimeout.Token);
        await peer.ExpectAsync(f => f.StreamId == stream.Id && f.HasFlag(FrameFlags.Syn), "the SYN");

        await peer.ExpectAsync(f => f.StreamId == stream.Id && f.HasFlag(FrameFlags.Rst), "the RST after the open timeout");

        Assert.Contains(peer.Log.Entries, e => e.Id.Id == 6011);
        await Assert.ThrowsAsync<MuxException>(async () => await stream.WriteAsync(new byte[1], TestTimeout.Token));
        Assert.Null(peer.Session.CloseReason);
    }

    [Fact]
    public async Task Opens_beyond_the_unacknowledged_limit_wait_and_fail_when_the_session_ends()
    {
        await using var peer = RawPeer.Create(new MuxOptions { AcceptBacklog = 2 }, sessionIsClient: true);
        await peer.Session.OpenStreamAsync(TestTimeout.Token);
        await peer.Session.OpenStreamAsync(TestTimeout.Token);

        var third = peer.Session.OpenStreamAsync(TestTimeout.Token).AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted, "a third open must wait for an ACK");

        peer.CloseWire();

        var error = await Assert.ThrowsAsync<MuxException>(() => third.WaitAsync(TestTimeout.Value));
        Assert.Contains("has ended", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ACK_frees_a_slot_for_the_next_open()
    {
        await using var peer = RawPeer.Create(new MuxOptions { AcceptBacklog = 1 }, sessionIsClient: true);
        var first = await peer.Session.OpenStreamAsync(TestTimeout.Token);
        var second = peer.Session.OpenStreamAsync(TestTimeout.Token).AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Ack, first.Id, 0);

        Assert.Equal(first.Id + 2, (await second.WaitAsync(TestTimeout.Value)).Id);
    }

    [Fact]
    public async Task Go_away_with_an_error_code_from_the_peer_ends_the_session()
    {
        await using var peer = RawPeer.Create();

        await peer.SendAsync(FrameType.GoAway, FrameFlags.None, 0, (uint)GoAwayCode.InternalError);

        await peer.Session.Completion.WaitAsync(TestTimeout.Value);
        Assert.Equal("remote go-away (internal error)", peer.Session.CloseReason);
    }
}
