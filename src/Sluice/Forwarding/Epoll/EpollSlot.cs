namespace Sluice.Forwarding.Epoll;

/// <summary>
/// A handler's place in its loop's table. The epoll data word carries the index, a tag bit and
/// the generation, so events still queued for a handler that has since finished (and whose index
/// was reused) are recognised and dropped.
/// </summary>
internal readonly record struct EpollSlot(int Index, uint Generation)
{
    public static readonly EpollSlot None = new(-1, 0);

    public bool IsNone => Index < 0;

    public ulong Data(int tag) => ((ulong)Generation << 33) | ((ulong)(uint)tag << 32) | (uint)Index;

    public static (int Index, int Tag, uint Generation) Decode(ulong data) =>
        ((int)(uint)data, (int)((data >> 32) & 1), (uint)(data >> 33));
}
