namespace Sluice.Tunnels.Http;

/// <summary>Per-request state the edge hands to its transformer (as a feature of the HttpContext).</summary>
internal sealed record EdgeExchange(HttpRoute Route);
