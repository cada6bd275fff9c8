using Sluice.Multiplexing;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>What the session puts on the wire: opening windows, window-update timing, fair interleaving.</summary>
public sealed class MuxWireTests
{
    private const int Window = 1024 * 1024;

    [Fact]
    public async Task Opening_a_stream_sends_SYN_with_the_extra_window_over_the_256_KiB_baseline()
    {
        await using var peer = RawPeer.Create(new MuxOptions { StreamWindow = 4 * Window }, sessionIsClient: true);

        var stream = await peer.Session.OpenStreamAsync(TestTimeout.Token);

        var syn = await peer.ExpectAsync(f => f.StreamId == stream.Id, "the SYN");
        Assert.Equal(FrameType.WindowUpdate, syn.Type);
        Assert.Equal(FrameFlags.Syn, syn.Flags);
        Assert.Equal((uint)((4 * Window) - (256 * 1024)), syn.Length);
    }

    [Fact]
    public async Task Accepting_a_stream_sends_ACK_with_the_extra_window()
    {
        await using var peer = RawPeer.Create();
        await peer.OpenAsync(1);

        var stream = await peer.Session.AcceptStreamAsync(TestTimeout.Token);

        var ack = await peer.ExpectAsync(f => f.StreamId == 1, "the ACK");
        Assert.Equal(FrameType.WindowUpdate, ack.Type);
        Assert.Equal(FrameFlags.Ack, ack.Flags);
        Assert.Equal((uint)(Window - (256 * 1024)), ack.Length);
        Assert.Equal(Window, stream!.ReceiveWindow);
    }

    [Fact]
    public async Task Credit_is_returned_once_half_the_window_has_been_read()
    {
        await using var peer = RawPeer.Create();
        peer.AnswerPings = false;
        await peer.OpenAsync(1);
        var stream = await peer.Session.AcceptStreamAsync(TestTimeout.Token);
        await peer.ExpectAsync(f => f.StreamId == 1 && f.HasFlag(FrameFlags.Ack), "the ACK");
        await peer.SendDataAsync(1, new byte[600 * 1024]);

        await StreamData.ReadExactlyAsync(stream!, 400 * 1024, TestTimeout.Token);
        await StreamData.ReadExactlyAsync(stream!, 200 * 1024, TestTimeout.Token);
        await peer.SendDataAsync(1, new byte[1], FrameFlags.Fin);
        await StreamData.ReadToEndAsync(stream!, TestTimeout.Token);
        await stream!.DisposeAsync();

        // One update for all 600 KiB (the first read alone stayed under half of 1 MiB), then FIN
        // (the two share one frame when the update is still queued as the FIN is added).
        var update = await peer.ExpectAsync(f => f.StreamId == 1, "the window update");
        Assert.Equal(FrameType.WindowUpdate, update.Type);
        Assert.Equal(600u * 1024, update.Length);
        if (!update.HasFlag(FrameFlags.Fin))
        {
            Assert.Equal(FrameFlags.None, update.Flags);
            var fin = await peer.ExpectAsync(f => f.StreamId == 1, "the FIN");
            Assert.Equal(FrameFlags.Fin, fin.Flags);
            Assert.Equal(0u, fin.Length);
        }
    }

    [Fact]
    public async Task Data_of_two_streams_is_interleaved_in_quanta_not_sent_one_stream_after_the_other()
    {
        // A small connection buffer: the session's writes stall until the peer reads, so both
        // streams have data queued at once.
        await using var peer = RawPeer.Create(new MuxOptions { MaxFramePayload = 16 * 1024 }, sessionIsClient: true, pauseBytes: 64 * 1024);
        var first = await peer.Session.OpenStreamAsync(TestTimeout.Token);
        var second = await peer.Session.OpenStreamAsync(TestTimeout.Token);
        var firstWrite = first.WriteAsync(new byte[200 * 1024], TestTimeout.Token).AsTask();
        await Task.Delay(50);
        var secondWrite = second.WriteAsync(new byte[200 * 1024], TestTimeout.Token).AsTask();

        var order = new List<uint>();
        var total = 0L;
        while (total < 400 * 1024)
        {
            var frame = await peer.ReadFrameAsync();
            if (frame!.Value.Header.Type == FrameType.Data)
            {
                order.Add(frame.Value.Header.StreamId);
                total += frame.Value.Header.Length;
                Assert.True(frame.Value.Header.Length <= 16 * 1024);
            }
        }

        await Task.WhenAll(firstWrite, secondWrite);
        var lastOfFirst = order.LastIndexOf(first.Id);
        var firstOfSecond = order.IndexOf(second.Id);
        Assert.True(firstOfSecond < lastOfFirst, "the second stream's data should start before the first stream's ends: " + string.Join(",", order));
    }
}
