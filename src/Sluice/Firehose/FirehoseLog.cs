using System.Net;
using Microsoft.Extensions.Logging;

namespace Sluice.Firehose;

/// <summary>Firehose log messages; event ids 5001-5099.</summary>
internal static partial class FirehoseLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "firehose \"{Firehose}\": client {ClientId} connected from {Remote}")]
    public static partial void ClientConnected(ILogger logger, string firehose, ulong clientId, IPEndPoint remote);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "firehose \"{Firehose}\": client {ClientId} resumed from {Remote}")]
    public static partial void ClientResumed(ILogger logger, string firehose, ulong clientId, IPEndPoint remote);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "firehose \"{Firehose}\": closed {Remote} during handshake: {Reason} ({Detail})")]
    public static partial void HandshakeFailed(ILogger logger, string firehose, IPEndPoint remote, string reason, string detail);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug, Message = "firehose \"{Firehose}\": closed client {ClientId} ({Remote}): {Reason}")]
    public static partial void ClientClosed(ILogger logger, string firehose, ulong clientId, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "firehose \"{Firehose}\": refused {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, string firehose, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug, Message = "firehose \"{Firehose}\": client {ClientId} failed: {Reason}")]
    public static partial void ClientFailed(ILogger logger, string firehose, ulong clientId, string reason);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "firehose \"{Firehose}\": connected to master {Master}")]
    public static partial void MasterConnected(ILogger logger, string firehose, IPEndPoint master);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "firehose \"{Firehose}\": cannot reach master {Master} ({Error}); retrying in {BackoffMs} ms")]
    public static partial void MasterUnreachable(ILogger logger, string firehose, string master, string error, long backoffMs);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "firehose \"{Firehose}\": lost the master link: {Reason}")]
    public static partial void MasterLost(ILogger logger, string firehose, string reason);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "firehose \"{Firehose}\": master sent flag {Flag} for client {ClientId}, which this gateway does not accept; ignored")]
    public static partial void MasterUnknownFlag(ILogger logger, string firehose, byte flag, ulong clientId);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "firehose \"{Firehose}\": gateway public key {PublicKey}")]
    public static partial void GatewayKey(ILogger logger, string firehose, string publicKey);
}
