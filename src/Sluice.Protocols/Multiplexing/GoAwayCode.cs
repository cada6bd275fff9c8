namespace Sluice.Protocols.Multiplexing;

/// <summary>The reason carried in a go-away frame's length field.</summary>
internal enum GoAwayCode : uint
{
    Normal = 0,
    ProtocolError = 1,
    InternalError = 2,
}
