using Microsoft.Extensions.Logging;

namespace Sluice.Multiplexing;

/// <summary>Multiplexer log events; ids 6001-6099 belong to it and are stable (alerts match on them).</summary>
internal static partial class MuxLog
{
    [LoggerMessage(EventId = 6001, EventName = "MuxSessionStarted", Level = LogLevel.Debug,
        Message = "Multiplexed session started as {Role}")]
    public static partial void SessionStarted(ILogger logger, string role);

    [LoggerMessage(EventId = 6002, EventName = "MuxSessionClosed", Level = LogLevel.Information,
        Message = "Multiplexed session closed: {Reason} ({Streams} stream(s) still open)")]
    public static partial void SessionClosed(ILogger logger, string reason, int streams);

    [LoggerMessage(EventId = 6003, EventName = "MuxProtocolError", Level = LogLevel.Warning,
        Message = "Multiplexed session closed with go-away (protocol error): {Reason}")]
    public static partial void ProtocolError(ILogger logger, string reason);

    [LoggerMessage(EventId = 6004, EventName = "MuxStreamReset", Level = LogLevel.Debug,
        Message = "Stream {StreamId} reset: {Reason}")]
    public static partial void StreamReset(ILogger logger, uint streamId, string reason);

    [LoggerMessage(EventId = 6005, EventName = "MuxAcceptBacklogFull", Level = LogLevel.Warning,
        Message = "Stream {StreamId} refused with RST: {Backlog} opened stream(s) are already waiting to be accepted")]
    public static partial void AcceptBacklogFull(ILogger logger, uint streamId, int backlog);

    [LoggerMessage(EventId = 6006, EventName = "MuxStreamRefused", Level = LogLevel.Debug,
        Message = "Stream {StreamId} refused with RST: {Reason}")]
    public static partial void StreamRefused(ILogger logger, uint streamId, string reason);

    [LoggerMessage(EventId = 6007, EventName = "MuxWindowOverflow", Level = LogLevel.Warning,
        Message = "Stream {StreamId} reset: window overflow, the peer sent {Length} byte(s) with {Credit} byte(s) of window left")]
    public static partial void WindowOverflow(ILogger logger, uint streamId, uint length, long credit);

    [LoggerMessage(EventId = 6008, EventName = "MuxSessionBufferFull", Level = LogLevel.Warning,
        Message = "Stream {StreamId} reset: {Length} more byte(s) would exceed the session buffer bound of {MaxSessionBuffer} byte(s) ({Buffered} buffered unread)")]
    public static partial void SessionBufferFull(ILogger logger, uint streamId, uint length, long maxSessionBuffer, long buffered);

    [LoggerMessage(EventId = 6009, EventName = "MuxStaleFrame", Level = LogLevel.Debug,
        Message = "Discarded {Type} frame for closed stream {StreamId} ({Length})")]
    public static partial void StaleFrame(ILogger logger, string type, uint streamId, uint length);

    [LoggerMessage(EventId = 6010, EventName = "MuxKeepAliveTimeout", Level = LogLevel.Warning,
        Message = "Multiplexed session closed: no answer to a keepalive ping within {Timeout}")]
    public static partial void KeepAliveTimeout(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 6011, EventName = "MuxStreamOpenTimeout", Level = LogLevel.Warning,
        Message = "Stream {StreamId} reset: the peer did not acknowledge it within {Timeout}")]
    public static partial void StreamOpenTimeout(ILogger logger, uint streamId, TimeSpan timeout);

    [LoggerMessage(EventId = 6012, EventName = "MuxRemoteGoAway", Level = LogLevel.Information,
        Message = "The peer sent go-away ({Code}); no new streams will be opened")]
    public static partial void RemoteGoAway(ILogger logger, string code);

    [LoggerMessage(EventId = 6013, EventName = "MuxWindowGrown", Level = LogLevel.Debug,
        Message = "Stream {StreamId} receive window grown from {From} to {To} byte(s) (consumed within two round trips)")]
    public static partial void WindowGrown(ILogger logger, uint streamId, int from, int to);

    [LoggerMessage(EventId = 6014, EventName = "MuxTransportError", Level = LogLevel.Debug,
        Message = "Multiplexed session transport failed")]
    public static partial void TransportError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6015, EventName = "MuxLocalGoAway", Level = LogLevel.Debug,
        Message = "Sent go-away ({Code}); new streams are refused")]
    public static partial void LocalGoAway(ILogger logger, string code);
}
