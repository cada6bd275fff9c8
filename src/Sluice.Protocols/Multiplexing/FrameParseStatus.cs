namespace Sluice.Protocols.Multiplexing;

/// <summary>The outcome of <see cref="FrameHeader.TryParse(ReadOnlySpan{byte}, out FrameHeader)"/>.</summary>
internal enum FrameParseStatus
{
    /// <summary>A header with version 0 and a known type was read.</summary>
    Ok,

    /// <summary>Fewer than 12 bytes are available.</summary>
    Incomplete,

    /// <summary>The version byte is not 0.</summary>
    UnsupportedVersion,

    /// <summary>The type byte is not one of <see cref="FrameType"/>.</summary>
    UnknownType,
}
