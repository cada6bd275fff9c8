namespace Sluice.Firehose;

internal enum EnqueueResult
{
    Queued,

    /// <summary>The session is closed: the master is told "Client not found".</summary>
    Closed,

    /// <summary>Connected, but client_queue messages are already waiting: the client is too slow.</summary>
    QueueOverflow,

    /// <summary>Stale and missed_messages = 0: the client is failed at once.</summary>
    NoBuffer,

    /// <summary>Stale and missed_messages are already buffered.</summary>
    MissedOverflow,
}
