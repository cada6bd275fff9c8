namespace Sluice.Tunnels;

/// <summary>The peer broke the control protocol (bad frame, wrong message, oversized); the reason is logged and sent.</summary>
internal sealed class ControlProtocolException : Exception
{
    public ControlProtocolException()
    {
    }

    public ControlProtocolException(string message)
        : base(message)
    {
    }

    public ControlProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
