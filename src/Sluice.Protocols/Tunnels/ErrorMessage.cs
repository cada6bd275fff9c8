namespace Sluice.Protocols.Tunnels;

/// <summary>Either way: the last message before the sender closes the session.</summary>
internal sealed record ErrorMessage(ControlErrorCode Code, string Reason) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.Error;
}
