namespace Sluice.Protocols.Tunnels;

/// <summary>Server → agent: authenticated; heartbeats are expected every <see cref="HeartbeatIntervalMs"/>.</summary>
internal sealed record WelcomeMessage(uint HeartbeatIntervalMs) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.Welcome;
}
