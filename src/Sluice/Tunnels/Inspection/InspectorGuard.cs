using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// The inspector's two guards, run before any route.
/// <list type="bullet">
/// <item>DNS rebinding: a web page from elsewhere can point its own name at 127.0.0.1 and then
/// read this API "same-origin". Its requests still carry its own name in Host, so only Host values
/// that name this server are served: "localhost", the configured listen host, or an IP literal
/// (loopback or the address the connection came in on), each with the bound port.</item>
/// <item>Cross-site requests: a form on another site can POST here without reading the answer.
/// A POST must carry <c>X-Sluice-Inspector</c> or <c>Content-Type: application/json</c>, which a
/// browser only sends cross-origin after a CORS preflight this server never approves; an Origin
/// header, when present, must name this server too.</item>
/// </list>
/// </summary>
internal sealed class InspectorGuard(string listenHost, ILogger logger)
{
    public const string HeaderName = "X-Sluice-Inspector";

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!IsOwnHost(request.Host, context.Connection))
        {
            InspectorLog.ForeignHost(logger, request.Host.Value ?? "(none)", context.Connection.RemoteIpAddress?.ToString());
            return Refuse(context, $"this inspector only answers requests addressed to it (Host localhost:{context.Connection.LocalPort} or its IP); Host \"{request.Host.Value}\" is not one of them");
        }

        if (HttpMethods.IsPost(request.Method))
        {
            if (!request.Headers.ContainsKey(HeaderName) && !IsJson(request.ContentType))
            {
                return Refuse(context, $"a POST needs the header \"{HeaderName}: 1\" or \"Content-Type: application/json\"");
            }

            var origin = request.Headers.Origin.ToString();
            if (origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && IsOwnHost(new HostString(uri.Authority), context.Connection)))
            {
                return Refuse(context, $"a POST from origin \"{origin}\" is not accepted; use the inspector's own page");
            }
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return next(context);
    }

    internal bool IsOwnHost(HostString host, ConnectionInfo connection)
    {
        if (!host.HasValue || (host.Port ?? 80) != connection.LocalPort)
        {
            return false;
        }

        var name = host.Host.Trim('[', ']');
        if (IPAddress.TryParse(name, out var ip))
        {
            // An IP literal cannot be rebound; it still has to be one that reaches this server.
            var local = connection.LocalIpAddress;
            return IPAddress.IsLoopback(ip) || (local is not null && (ip.Equals(local) || (local.IsIPv4MappedToIPv6 && ip.Equals(local.MapToIPv4()))));
        }

        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.Equals(listenHost, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static Task Refuse(HttpContext context, string message) =>
        Results.Json(new InspectorError(message), InspectorJsonContext.Default.InspectorError, statusCode: StatusCodes.Status403Forbidden)
            .ExecuteAsync(context);
}
