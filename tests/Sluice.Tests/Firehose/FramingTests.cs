using System.Buffers;
using Sluice.Protocols.Firehose;

namespace Sluice.Tests.Firehose;

public sealed class FramingTests
{
    [Fact]
    public void TryReadFrame_AcrossSegments_ReturnsEachFrameAndLeavesTheRest()
    {
        // Two frames "abc" and "" then half a header, split at awkward places.
        var bytes = Convert.FromHexString("03000000" + "616263" + "00000000" + "0500");
        var buffer = Segments(bytes, 2, 5, 9);
        Assert.Equal(FrameReadResult.Frame, Framing.TryReadFrame(ref buffer, 16, out var first));
        Assert.Equal("abc"u8.ToArray(), first.ToArray());
        Assert.Equal(FrameReadResult.Frame, Framing.TryReadFrame(ref buffer, 16, out var empty));
        Assert.True(empty.IsEmpty);
        Assert.Equal(FrameReadResult.Incomplete, Framing.TryReadFrame(ref buffer, 16, out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_LengthAboveCap_IsTooLargeBeforeThePayloadArrives()
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString("11000000"));
        Assert.Equal(FrameReadResult.TooLarge, Framing.TryReadFrame(ref buffer, 16, out _));
        var atCap = new ReadOnlySequence<byte>(Convert.FromHexString("10000000"));
        Assert.Equal(FrameReadResult.Incomplete, Framing.TryReadFrame(ref atCap, 16, out _));
        var huge = new ReadOnlySequence<byte>(Convert.FromHexString("FFFFFFFF"));
        Assert.Equal(FrameReadResult.TooLarge, Framing.TryReadFrame(ref huge, int.MaxValue, out _));
    }

    [Fact]
    public void TryReadFrame_OnASpan_GivesEachFramesLength_AndTheAnnouncedLengthOfAnIncompleteOne()
    {
        // "abc", then a frame announcing 5 bytes of which 2 arrived, then only 2 prefix bytes.
        var bytes = Convert.FromHexString("03000000" + "616263" + "05000000" + "6869");
        Assert.Equal(FrameReadResult.Frame, Framing.TryReadFrame(bytes, 16, out var first));
        Assert.Equal(3, first);
        Assert.Equal(FrameReadResult.Incomplete, Framing.TryReadFrame(bytes.AsSpan(7), 16, out var pending));
        Assert.Equal(5, pending);
        Assert.Equal(FrameReadResult.Incomplete, Framing.TryReadFrame(bytes.AsSpan(7, 2), 16, out var noPrefix));
        Assert.Equal(-1, noPrefix);
        Assert.Equal(FrameReadResult.TooLarge, Framing.TryReadFrame(Convert.FromHexString("11000000"), 16, out _));
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes, params int[] cuts)
    {
        var start = new Segment(bytes.AsMemory(0, cuts[0]), 0);
        var end = start;
        var previous = cuts[0];
        foreach (var cut in cuts.Skip(1).Append(bytes.Length))
        {
            end = end.Append(bytes.AsMemory(previous, cut - previous));
            previous = cut;
        }

        return new ReadOnlySequence<byte>(start, 0, end, end.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
