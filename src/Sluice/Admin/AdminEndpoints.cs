using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Balancing;
using Sluice.Hosting;

namespace Sluice.Admin;

/// <summary>The admin routes. Each answer is built from <see cref="IGatewayStatus"/> at request time, so it follows reloads.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints, IGatewayStatus status)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        // HEAD too: some load balancers' HTTP checks send it and only read the status.
        endpoints.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], () => Healthz(status));
        endpoints.MapGet("/api/routes", () => Results.Json(Routes(status), AdminJsonContext.Default.IReadOnlyListRouteStatus));
        endpoints.MapGet("/api/clusters", () => Results.Json(Clusters(status), AdminJsonContext.Default.IReadOnlyListClusterStatus));
    }

    // A load balancer in front of several gateways reads 503 as "send no new connections here",
    // which is what draining means; the body is for people.
    private static IResult Healthz(IGatewayStatus status) => status.IsDraining
        ? Results.Text("draining\n", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable)
        : Results.Text("ok\n", "text/plain", statusCode: StatusCodes.Status200OK);

    internal static IReadOnlyList<RouteStatus> Routes(IGatewayStatus status) =>
        status.Config.Proxies.Select(route => RouteStatus.From(route, status.Metrics.ForRoute(route.Name), status.EndpointsOf(route.Name))).ToArray();

    // Config order, so the answer reads like the file; the live dictionary has none.
    internal static IReadOnlyList<ClusterStatus> Clusters(IGatewayStatus status) =>
        status.Config.Clusters
            .Select(c => status.Clusters.TryGetValue(c.Name, out var live) ? live : null)
            .OfType<UpstreamCluster>()
            .Select(ClusterStatus.From)
            .ToArray();
}
