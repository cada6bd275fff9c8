using System.Buffers;

namespace Sluice.Multiplexing;

/// <summary>
/// The pool for streams' received-bytes segments. A session can hold thousands of segments at
/// once (up to MaxSessionBuffer in 64 KiB pieces), far more than ArrayPool.Shared keeps per size
/// (32 per core), so the shared pool would allocate on every bulk cycle. This pool keeps up to
/// 512 segments of each size (at most ~34 MiB, and only after a peak of that much unread data).
/// </summary>
internal static class ReceiveSegmentPool
{
    public const int SmallSegment = 4 * 1024;
    public const int LargeSegment = 64 * 1024;

    public static ArrayPool<byte> Shared { get; } = ArrayPool<byte>.Create(LargeSegment, 512);
}
