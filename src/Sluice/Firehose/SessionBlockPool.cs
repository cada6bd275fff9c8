using System.Buffers;
using System.Collections.Concurrent;

namespace Sluice.Firehose;

/// <summary>
/// Blocks for the session queues. Thousands of sessions each rent a block for a burst and give
/// it back once sent, on other threads: ArrayPool.Shared's per-core stacks (a few dozen arrays
/// per size) run dry under that and allocate, measured at ~400 B per message with 1,000
/// clients. These blocks are the owner objects themselves, so renting allocates nothing once
/// warm; the pool keeps at most a bounded number per size class, so it holds no more than the
/// peak it served, capped. Idle sessions hold no block (the pipe returns it when drained).
/// </summary>
internal sealed class SessionBlockPool : MemoryPool<byte>
{
    private static readonly int[] Sizes = [4 * 1024, 16 * 1024, 64 * 1024];
    private const int RetainedBytesPerClass = 32 << 20;

    private readonly ConcurrentQueue<Block>[] _free = [.. Sizes.Select(_ => new ConcurrentQueue<Block>())];
    private readonly int[] _counts = new int[Sizes.Length];

    public static SessionBlockPool Instance { get; } = new();

    public override int MaxBufferSize => Sizes[^1];

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        var size = minBufferSize <= 0 ? Sizes[0] : minBufferSize;
        for (var i = 0; i < Sizes.Length; i++)
        {
            if (size <= Sizes[i])
            {
                if (_free[i].TryDequeue(out var block))
                {
                    Interlocked.Decrement(ref _counts[i]);
                    block.Rented = true;
                    return block;
                }

                return new Block(this, i, new byte[Sizes[i]]) { Rented = true };
            }
        }

        throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, "larger than the pool's largest block");
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _counts[block.SizeClass]) * Sizes[block.SizeClass] <= RetainedBytesPerClass)
        {
            _free[block.SizeClass].Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _counts[block.SizeClass]);
        }
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(SessionBlockPool pool, int sizeClass, byte[] array) : IMemoryOwner<byte>
    {
        public int SizeClass { get; } = sizeClass;

        public bool Rented { get; set; }

        public Memory<byte> Memory => array;

        public void Dispose()
        {
            if (Rented)
            {
                Rented = false;
                pool.Return(this);
            }
        }
    }
}
