namespace Sluice.Protocols.Firehose;

/// <summary>What <c>Framing.TryReadFrame</c> found at the start of the buffer.</summary>
public enum FrameReadResult
{
    /// <summary>Not a whole frame yet: read more.</summary>
    Incomplete,

    /// <summary>One whole frame; its payload is returned and the buffer advanced past it.</summary>
    Frame,

    /// <summary>The length prefix is above the cap: the peer is broken or hostile; close it.</summary>
    TooLarge,
}
