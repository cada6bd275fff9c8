namespace Sluice.Client;

/// <summary>What a <see cref="FirehoseMasterEvent"/> reports.</summary>
public enum FirehoseEventKind
{
    /// <summary>A message from the client (flag 0x00); <see cref="FirehoseMasterEvent.Data"/> is the message.</summary>
    Message,

    /// <summary>The client is gone for good (0x01); <see cref="FirehoseMasterEvent.Text"/> is the reason, e.g. "Client not found".</summary>
    Failure,

    /// <summary>The client resumed its session after a drop (0x03).</summary>
    Resumed,

    /// <summary>Sluice's opt-in event (0x04, master_events): the client connected; <see cref="FirehoseMasterEvent.Text"/> is its "ip:port".</summary>
    Connected,

    /// <summary>Sluice's opt-in event (0x05, master_events): the client's connection dropped and it may still resume; <see cref="FirehoseMasterEvent.Text"/> is the reason.</summary>
    Disconnected,

    /// <summary>The gateway connected to this master (not a wire packet; <see cref="FirehoseMasterEvent.ClientId"/> is 0).</summary>
    GatewayConnected,

    /// <summary>The gateway's connection to this master closed (not a wire packet).</summary>
    GatewayDisconnected,
}
