using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Tunnels.Http;

/// <summary>
/// What the local service sees of a request: every header the user sent (bar the edge's own
/// credential, taken off before), Host as the route says, and X-Forwarded-For (the user's address
/// appended), X-Forwarded-Proto and X-Forwarded-Host set by the edge.
/// </summary>
internal sealed class EdgeTransformer : HttpTransformer
{
    public static readonly EdgeTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        var route = httpContext.Features.Get<EdgeExchange>()!.Route;
        var rewrite = route.Request.HostHeader;
        proxyRequest.Headers.Host = rewrite.Length > 0 ? rewrite : request.Host.Value;

        var headers = proxyRequest.Headers;
        var client = httpContext.Connection.RemoteIpAddress?.ToString();
        var earlier = request.Headers["X-Forwarded-For"].ToString();
        headers.Remove("X-Forwarded-For");
        if (client is not null)
        {
            headers.TryAddWithoutValidation("X-Forwarded-For", earlier.Length > 0 ? $"{earlier}, {client}" : client);
        }

        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        headers.Remove("X-Forwarded-Host");
        headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
    }
}
