using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Sluice.Configuration;
using Sluice.Telemetry;

namespace Sluice.Hosting;

/// <summary>
/// Builds the generic host around a loaded config: logging as configured, the gateway, reload
/// on SIGHUP/file change, drain on SIGTERM/SIGINT (the host's console lifetime), and the admin
/// endpoint.
/// </summary>
public static class SluiceHost
{
    public static IHost Build(SluiceConfig config)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var logLevel = new LogLevelSwitch(config.Server.LogLevel);
        builder.Services.AddSingleton(logLevel);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        // Framework categories only from Warning up; the host's own "Hosting failed to start"
        // is left out, since Sluice reports why it cannot start itself, without a stack trace.
        builder.Logging.AddFilter((category, level) =>
            logLevel.IsEnabled(level)
            && category != "Microsoft.Extensions.Hosting.Internal.Host"
            && (level >= LogLevel.Warning || !(category ?? "").StartsWith("Microsoft.", StringComparison.Ordinal)));
        if (config.Server.LogFormat == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        // The console logger writes from one background thread through a bounded queue. When a
        // burst fills it, dropping lines beats blocking: a blocked log call would stall the
        // socket thread that made it, and with it every connection on that thread.
        builder.Services.Configure<ConsoleLoggerOptions>(o =>
        {
            o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
            o.MaxQueueLength = 100_000;
        });

        builder.Services.Configure<HostOptions>(o =>
        {
            // The gateway enforces shutdown_timeout itself; the host's own limit is a backstop.
            o.ShutdownTimeout = config.Server.ShutdownTimeout + TimeSpan.FromSeconds(10);
        });
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton<SluiceMetrics>();
        builder.Services.AddSingleton(sp => new Gateway(sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<SluiceMetrics>()));
        builder.Services.AddSingleton<IGatewayStatus>(sp => sp.GetRequiredService<Gateway>());
        builder.Services.AddHostedService<AdminService>();
        builder.Services.AddHostedService<GatewayService>();
        if (config.SourcePath is not null)
        {
            builder.Services.AddHostedService<ConfigReloader>();
        }

        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        return builder.Build();
    }
}
