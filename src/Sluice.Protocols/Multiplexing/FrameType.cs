namespace Sluice.Protocols.Multiplexing;

/// <summary>The yamux frame type (docs/protocols/tunnel.md, "Frame types").</summary>
internal enum FrameType : byte
{
    /// <summary>Stream data; the length is the payload size that follows the header.</summary>
    Data = 0,

    /// <summary>Adds the length to the stream's send window; carries SYN/ACK/FIN/RST without data.</summary>
    WindowUpdate = 1,

    /// <summary>Session ping (stream id 0); the length is an opaque value echoed back with ACK.</summary>
    Ping = 2,

    /// <summary>Session go-away (stream id 0); the length is a <see cref="GoAwayCode"/>.</summary>
    GoAway = 3,
}
