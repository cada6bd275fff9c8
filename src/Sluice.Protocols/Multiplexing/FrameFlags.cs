namespace Sluice.Protocols.Multiplexing;

/// <summary>The yamux frame flags; they ride on data or window-update frames (SYN/ACK also on pings).</summary>
[Flags]
internal enum FrameFlags : ushort
{
    None = 0,

    /// <summary>Opens a stream (or asks for a ping echo).</summary>
    Syn = 1,

    /// <summary>Accepts a stream (or answers a ping).</summary>
    Ack = 2,

    /// <summary>Half-closes the sender's direction of the stream.</summary>
    Fin = 4,

    /// <summary>Resets the stream in both directions.</summary>
    Rst = 8,
}
