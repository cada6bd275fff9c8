using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Sluice.Tunnels.Http;

/// <summary>The edge's own answers: short HTML pages that say what went wrong and for which host.</summary>
internal static class EdgePages
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var html = new StringBuilder()
            .Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
            .Append(status).Append(' ').Append(WebUtility.HtmlEncode(title))
            .Append("</title></head><body><h1>").Append(status).Append(' ').Append(WebUtility.HtmlEncode(title))
            .Append("</h1><p>").Append(WebUtility.HtmlEncode(detail))
            .Append("</p><hr><p>sluice</p></body></html>\n")
            .ToString();
        return context.Response.WriteAsync(html);
    }
}
