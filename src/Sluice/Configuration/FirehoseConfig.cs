namespace Sluice.Configuration;

/// <summary>
/// One [[firehose]] table: a Voltlane-compatible gateway that collapses many client connections
/// into one framed stream to a master (docs/protocols/firehose.md).
/// </summary>
public sealed record FirehoseConfig
{
    public required string Name { get; init; }

    public required IReadOnlyList<HostPort> Listen { get; init; }

    /// <summary>The master's address; the gateway dials it and redials when it goes away.</summary>
    public required HostPort Master { get; init; }

    /// <summary>How long a dropped client may resume its session.</summary>
    public TimeSpan StaleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan StaleReapInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Stale sessions kept at most; the oldest is evicted (and failed to the master) first.</summary>
    public int MaxStaleClients { get; init; } = 65535;

    /// <summary>Master→client messages buffered per stale client; 0 fails the client on the first one.</summary>
    public int MissedMessages { get; init; }

    /// <summary>Messages queued for one connected client before it is failed as too slow.</summary>
    public int ClientQueue { get; init; } = 8192;

    /// <summary>Connected clients at most; more are closed after accept.</summary>
    public int MaxClients { get; init; } = 100_000;

    /// <summary>Largest client message; a larger frame closes its sender.</summary>
    public long MaxMessage { get; init; } = 1L << 20;

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>0 = unlimited.</summary>
    public int MaxConnectionsPerIp { get; init; }

    /// <summary>Opt-in: connected/disconnected events to the master and broadcast from it (flags 0x04-0x06).</summary>
    public bool MasterEvents { get; init; }

    /// <summary>Empty: a fresh key per start. Otherwise the gateway's private key is kept (and created) here.</summary>
    public string KeyFile { get; init; } = string.Empty;

    /// <summary>
    /// True when <paramref name="other"/> can keep this one's running sessions and master link:
    /// everything but the listen addresses is the same. (Records compare lists by reference, so
    /// this spells the fields out.)
    /// </summary>
    public bool SameEngineAs(FirehoseConfig other) =>
        other.Name == Name && other.Master == Master && other.StaleTimeout == StaleTimeout &&
        other.StaleReapInterval == StaleReapInterval && other.MaxStaleClients == MaxStaleClients &&
        other.MissedMessages == MissedMessages && other.ClientQueue == ClientQueue &&
        other.MaxClients == MaxClients && other.MaxMessage == MaxMessage &&
        other.HandshakeTimeout == HandshakeTimeout && other.MaxConnectionsPerIp == MaxConnectionsPerIp &&
        other.MasterEvents == MasterEvents && other.KeyFile == KeyFile;
}
