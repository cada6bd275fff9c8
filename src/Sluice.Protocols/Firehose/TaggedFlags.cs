namespace Sluice.Protocols.Firehose;

/// <summary>
/// The flag byte of a tagged packet on the gateway ↔ master link. 0x00-0x03 are Voltlane's;
/// 0x04-0x06 are Sluice's opt-in additions (docs/protocols/firehose.md, "Sluice additions"),
/// sent or accepted only when the firehose has <c>master_events = true</c>.
/// </summary>
public enum TaggedFlags : byte
{
    /// <summary>Both ways: a client's message, verbatim.</summary>
    Data = 0x00,

    /// <summary>Gateway to master: the client is gone for good; data is a UTF-8 reason.</summary>
    Failure = 0x01,

    /// <summary>Master to gateway: disconnect that client; no data.</summary>
    Kick = 0x02,

    /// <summary>Gateway to master: the client resumed its session; no data.</summary>
    Reconnected = 0x03,

    /// <summary>Sluice, gateway to master: a new client (or one that resumed) is connected; data is its remote address as UTF-8 "ip:port".</summary>
    Connected = 0x04,

    /// <summary>Sluice, gateway to master: the client's connection dropped and its session is stale (it may still resume); data is a UTF-8 reason.</summary>
    Disconnected = 0x05,

    /// <summary>Sluice, master to gateway: one message to many clients; data is <c>u32 LE count | count × u64 LE ids | message</c>, count 0 meaning every connected client.</summary>
    Broadcast = 0x06,
}
