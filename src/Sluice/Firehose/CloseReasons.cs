namespace Sluice.Firehose;

/// <summary>Why the gateway closed a client connection: metric tag values and log words.</summary>
internal static class CloseReasons
{
    public const string HandshakeTimeout = "handshake_timeout";
    public const string BadVersion = "bad_version";
    public const string Malformed = "malformed";
    public const string BadKey = "bad_key";
    public const string UnknownId = "unknown_id";
    public const string ChallengeFailed = "challenge_failed";
    public const string TooLarge = "message_too_large";
    public const string PerIpLimit = "per_ip_limit";
    public const string MaxClients = "max_clients";
    public const string Kicked = "kicked";
    public const string Failed = "failed";
    public const string Shutdown = "shutdown";
    public const string Eof = "eof";
    public const string Truncated = "truncated";
    public const string Error = "error";
}
