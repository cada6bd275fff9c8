using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

/// <summary>The peer sent an <see cref="ErrorMessage"/> where another message was expected.</summary>
internal sealed class ControlErrorException : Exception
{
    public ControlErrorException()
    {
    }

    public ControlErrorException(string message)
        : base(message)
    {
    }

    public ControlErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControlErrorException(ErrorMessage error)
        : base(error.Reason)
    {
        Code = error.Code;
    }

    public ControlErrorCode Code { get; }
}
