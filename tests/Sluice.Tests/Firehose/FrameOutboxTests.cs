using Sluice.Protocols.Firehose;

namespace Sluice.Tests.Firehose;

/// <summary>The master link's batch buffer: frames from many writers leave in one piece, and it is bounded.</summary>
public sealed class FrameOutboxTests
{
    [Fact]
    public async Task FramesWrittenWhileTheSenderIsBusy_AreTakenAsOneBatch_InOrder()
    {
        var outbox = new FrameOutbox(highWater: 1024);
        for (byte i = 1; i <= 3; i++)
        {
            var writer = outbox.Enter();
            TaggedPacket.Write(writer, i, TaggedFlags.Data, [i]);
            outbox.Exit();
        }

        var batch = await outbox.TakeAsync();
        Assert.Equal(3 * (TaggedPacket.FrameOverhead + 1), batch.Length);
        // Each frame: length, client id, flags, then its one data byte, in the order written.
        var frame = TaggedPacket.FrameOverhead + 1;
        Assert.Equal([1, 2, 3], Enumerable.Range(0, 3).Select(i => batch.Span[(i * frame) + 4]));
        Assert.Equal([1, 2, 3], Enumerable.Range(0, 3).Select(i => batch.Span[(i * frame) + TaggedPacket.FrameOverhead]));
        Assert.Equal(0, outbox.PendingBytes);
    }

    [Fact]
    public async Task AWaitingSender_IsWokenByTheNextFrame()
    {
        var outbox = new FrameOutbox(highWater: 1024);
        var take = outbox.TakeAsync().AsTask();
        Assert.False(take.IsCompleted);
        var writer = outbox.Enter();
        TaggedPacket.Write(writer, 7, TaggedFlags.Data, "x"u8);
        outbox.Exit();
        var batch = await take.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TaggedPacket.FrameOverhead + 1, batch.Length);
    }

    [Fact]
    public async Task PastHighWater_WritersAreToldToWait_UntilTheBatchIsTaken()
    {
        var outbox = new FrameOutbox(highWater: 100);
        var writer = outbox.Enter();
        TaggedPacket.Write(writer, 1, TaggedFlags.Data, new byte[200]);
        Assert.True(outbox.Exit());
        var space = outbox.WaitForSpaceAsync();
        Assert.False(space.IsCompleted);

        await outbox.TakeAsync();
        await space.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WakeSender_EndsAWaitingTake_AndAPendingWakeEndsTheNextOneUntilCleared()
    {
        var outbox = new FrameOutbox(highWater: 1024);
        var take = outbox.TakeAsync().AsTask();
        outbox.WakeSender();
        Assert.True((await take.WaitAsync(TimeSpan.FromSeconds(10))).IsEmpty);

        outbox.WakeSender();
        Assert.True((await outbox.TakeAsync()).IsEmpty);

        outbox.WakeSender();
        outbox.ClearWake();
        Assert.False(outbox.TakeAsync().AsTask().IsCompleted);
    }

    [Fact]
    public async Task Complete_DropsPendingFrames_AndReleasesEveryone()
    {
        var outbox = new FrameOutbox(highWater: 10);
        var writer = outbox.Enter();
        TaggedPacket.Write(writer, 1, TaggedFlags.Data, new byte[20]);
        outbox.Exit();
        var space = outbox.WaitForSpaceAsync();
        outbox.Complete();
        await space.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True((await outbox.TakeAsync()).IsEmpty);
    }

    [Fact]
    public async Task ReleaseSpaceWaiters_EndsAWait_AndAWriterStillPastHighWaterIsToldToWaitAgain()
    {
        var outbox = new FrameOutbox(highWater: 100);
        var writer = outbox.Enter();
        TaggedPacket.Write(writer, 1, TaggedFlags.Data, new byte[200]);
        outbox.Exit();
        var space = outbox.WaitForSpaceAsync();

        outbox.ReleaseSpaceWaiters();

        await space.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(outbox.WaitForSpaceAsync().IsCompleted);
        Assert.Equal(213, outbox.PendingBytes);
    }

    [Fact]
    public void ALoopSender_IsWokenOncePerTake_HoweverManyFramesFollow_AndTakesThemAsOneBatch()
    {
        var outbox = new FrameOutbox(highWater: 1024);
        var wakes = 0;
        Assert.True(outbox.TryTake(() => wakes++).IsEmpty);
        for (byte i = 1; i <= 3; i++)
        {
            var writer = outbox.Enter();
            TaggedPacket.Write(writer, i, TaggedFlags.Data, [i]);
            outbox.Exit();
        }

        Assert.Equal(1, wakes);
        var batch = outbox.TryTake(() => wakes++);
        Assert.Equal(3 * (TaggedPacket.FrameOverhead + 1), batch.Length);
        Assert.Equal([1, 2, 3], Enumerable.Range(0, 3).Select(i => batch.Span[(i * (TaggedPacket.FrameOverhead + 1)) + TaggedPacket.FrameOverhead]));

        // Not empty-handed: the sender will take again on its own, so writers need not wake it.
        var more = outbox.Enter();
        TaggedPacket.Write(more, 4, TaggedFlags.Data, [4]);
        outbox.Exit();
        Assert.Equal(1, wakes);
    }

    [Fact]
    public void ALoopSender_TakingTheBatch_ReleasesWritersWaitingForSpace()
    {
        var outbox = new FrameOutbox(highWater: 64);
        var writer = outbox.Enter();
        TaggedPacket.Write(writer, 1, TaggedFlags.Data, new byte[100]);
        Assert.True(outbox.Exit());
        var space = outbox.WaitForSpaceAsync();
        Assert.False(space.IsCompleted);
        Assert.False(outbox.TryTake(() => { }).IsEmpty);
        Assert.True(space.IsCompleted);
    }
}
