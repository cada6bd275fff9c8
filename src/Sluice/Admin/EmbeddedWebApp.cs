using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sluice.Admin;

/// <summary>
/// The bare Kestrel apps Sluice runs beside its own listeners: the admin endpoint, agents over
/// WebSocket, the HTTP tunnel edge and the agent's inspector. The empty builder adds no
/// configuration sources (no appsettings.json, no ASPNETCORE_* variables that could add or
/// override URLs) and no console lifetime that would take over Ctrl+C from the gateway's own
/// host; logs go to Sluice's logger factory, and no Server header is sent.
/// </summary>
internal static class EmbeddedWebApp
{
    public static WebApplicationBuilder CreateBuilder(string name, ILoggerFactory loggers, Action<KestrelServerOptions> configureKestrel)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            configureKestrel(kestrel);
        });
        builder.Services.AddSingleton<IHostLifetime, AdminHostLifetime>();
        builder.Services.AddLogging(logging => logging
            .AddProvider(new ForwardingLoggerProvider(loggers))
            .AddFilter("Microsoft", LogLevel.Warning));
        return builder;
    }

    /// <summary>Stops within 5 s (a client that never finishes reading cannot hold up shutdown), then disposes.</summary>
    public static async ValueTask StopAndDisposeAsync(WebApplication app)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(timeout.Token);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
