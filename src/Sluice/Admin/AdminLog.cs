using System.Net;
using Microsoft.Extensions.Logging;

namespace Sluice.Admin;

/// <summary>Admin endpoint logs; event ids 900-919 are reserved for this folder.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 900, EventName = "AdminListening", Level = LogLevel.Information, Message = "Admin endpoint listening on http://{Endpoint} (/metrics, /healthz, /api/routes, /api/clusters)")]
    public static partial void Listening(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(EventId = 901, EventName = "AdminStopped", Level = LogLevel.Information, Message = "Admin endpoint stopped")]
    public static partial void Stopped(ILogger logger);
}
