namespace Sluice.Firehose;

/// <summary>
/// The UTF-8 reasons sent to the master with flag 0x01 (docs/protocols/firehose.md, "Failure
/// reasons"). Masters may match on them, so they are part of the protocol and never reworded.
/// </summary>
internal static class FailureReasons
{
    public const string NotFound = "Client not found";
    public const string Disconnected = "Client disconnected";
    public const string TimedOut = "Client timed out";
    public const string Evicted = "Client evicted: too many stale clients";
    public const string QueueOverflow = "Client queue overflow";
    public const string MissedOverflow = "Missed message buffer overflow";
    public const string Shutdown = "Gateway shutting down";
}
