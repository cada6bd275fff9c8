using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// struct epoll_event is { u32 events; u64 data } packed to 12 bytes on x86-64 and padded to 16
/// elsewhere (arm64), so it is read and written through offsets rather than a C# struct.
/// </summary>
internal static unsafe class EpollEventLayout
{
    public static readonly int Size = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static uint Events(byte* events, int index) => Unsafe.ReadUnaligned<uint>(events + (index * Size));

    public static ulong Data(byte* events, int index) => Unsafe.ReadUnaligned<ulong>(events + (index * Size) + DataOffset);

    public static void Write(byte* ev, uint events, ulong data)
    {
        Unsafe.WriteUnaligned(ev, events);
        Unsafe.WriteUnaligned(ev + DataOffset, data);
    }
}
