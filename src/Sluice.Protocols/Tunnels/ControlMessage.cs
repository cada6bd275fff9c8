namespace Sluice.Protocols.Tunnels;

/// <summary>
/// One control-plane message. The control stream is the first stream the agent opens; every
/// message on it is a 4-byte header (type, reserved zero, payload length u16 big-endian) and a
/// payload of at most <see cref="ControlCodec.MaxPayload"/> bytes.
/// </summary>
internal abstract record ControlMessage
{
    public abstract ControlMessageType Type { get; }
}
