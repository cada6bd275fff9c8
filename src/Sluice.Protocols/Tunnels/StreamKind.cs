namespace Sluice.Protocols.Tunnels;

/// <summary>What a data stream carries, the first byte of its header after the length.</summary>
internal enum StreamKind : byte
{
    /// <summary>Server → agent: a user connected to a public port; the header names the tunnel.</summary>
    Reverse = 1,

    /// <summary>Agent → server: reach a destination; the header names host and port.</summary>
    Forward = 2,

    /// <summary>Version 2, server → agent: the inspector feed of the agent's HTTP tunnels; the header has no body.</summary>
    Inspect = 3,
}
