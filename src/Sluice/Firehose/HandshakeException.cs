namespace Sluice.Firehose;

/// <summary>A handshake that cannot go on: <see cref="Reason"/> is the metric tag, the message the detail logged.</summary>
internal sealed class HandshakeException(string reason, string detail) : Exception(detail)
{
    public string Reason { get; } = reason;
}
