namespace Sluice.Protocols.Tunnels;

/// <summary>The outcome of a parser run on the bytes received so far.</summary>
internal enum ParseStatus
{
    /// <summary>Not enough bytes yet; nothing consumed.</summary>
    Incomplete,
    Done,

    /// <summary>The bytes can never form a valid message: close the peer.</summary>
    Invalid,
}
