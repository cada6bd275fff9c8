namespace Sluice.Client;

/// <summary>Settings of a <see cref="FirehoseClient"/>.</summary>
public sealed class FirehoseClientOptions
{
    /// <summary>Time allowed for one connect plus handshake. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the client keeps trying to resume after its connection drops before it gives up
    /// and ends <see cref="FirehoseClient.ReceiveAsync"/> with a <see cref="FirehoseException"/>.
    /// Match it to the gateway's stale_timeout. Default 5 minutes.
    /// </summary>
    public TimeSpan ResumeTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First wait between resume attempts; doubles up to <see cref="MaxResumeBackoff"/>. Default 100 ms.</summary>
    public TimeSpan InitialResumeBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between resume attempts. Default 5 s.</summary>
    public TimeSpan MaxResumeBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message accepted from the gateway; a larger frame drops the connection. Default 16 MiB.</summary>
    public int MaxMessage { get; init; } = 16 << 20;

    /// <summary>Received messages buffered before the client stops reading the socket. Default 1024.</summary>
    public int ReceiveQueue { get; init; } = 1024;
}
