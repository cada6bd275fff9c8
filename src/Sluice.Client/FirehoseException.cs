namespace Sluice.Client;

/// <summary>The firehose session ended or a handshake failed; the message says why.</summary>
public sealed class FirehoseException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public FirehoseException()
    {
    }

    /// <summary>Creates an exception saying why.</summary>
    public FirehoseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception saying why, with the error underneath.</summary>
    public FirehoseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
