namespace Sluice.Multiplexing;

/// <summary>The session or stream cannot do what was asked (closed, gone away, reset).</summary>
internal sealed class MuxException : IOException
{
    public MuxException()
    {
    }

    public MuxException(string message)
        : base(message)
    {
    }

    public MuxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
