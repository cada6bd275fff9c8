using Microsoft.AspNetCore.Http;

namespace Sluice.Tunnels.Inspection;

/// <summary>The inspector's one page (inspector.html, embedded): HTML, CSS and script in one file, nothing fetched from elsewhere.</summary>
internal static class InspectorPage
{
    public const string ResourceName = "Sluice.Tunnels.Inspection.inspector.html";

    // Inline script and style only; the page talks to its own origin and nothing else, and no
    // other site may frame it (a framed replay button is a click away from a forged replay).
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly byte[] Html = Load();

    public static Task Write(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = Html.Length;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.Body.WriteAsync(Html).AsTask();
    }

    private static byte[] Load()
    {
        using var stream = typeof(InspectorPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
