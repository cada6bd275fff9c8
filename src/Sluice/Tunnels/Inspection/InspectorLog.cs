using System.Net;
using Microsoft.Extensions.Logging;

namespace Sluice.Tunnels.Inspection;

/// <summary>Inspector logs; event ids 7090-7099, the top of the tunnel range, are reserved for this folder.</summary>
internal static partial class InspectorLog
{
    [LoggerMessage(EventId = 7090, EventName = "InspectorListening", Level = LogLevel.Information, Message = "Inspector listening on http://{Endpoint}/")]
    public static partial void Listening(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(EventId = 7091, EventName = "InspectorStopped", Level = LogLevel.Information, Message = "Inspector stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 7092, EventName = "InspectorForeignHost", Level = LogLevel.Warning, Message = "Inspector refused a request for host {Host} from {Remote}: only its own address is served (DNS-rebinding guard)")]
    public static partial void ForeignHost(ILogger logger, string host, string? remote);

    [LoggerMessage(EventId = 7093, EventName = "InspectorReplayed", Level = LogLevel.Information, Message = "Inspector replayed #{Original} to {Local} as #{Replay}: status {Status}")]
    public static partial void Replayed(ILogger logger, long original, string local, long replay, int status);

    [LoggerMessage(EventId = 7094, EventName = "InspectorReplayFailed", Level = LogLevel.Warning, Message = "Inspector replay of #{Original} to {Local} failed (#{Replay}): {Error}")]
    public static partial void ReplayFailed(ILogger logger, long original, string local, long replay, string error);
}
