using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Sluice.Configuration;
using Sluice.Hosting;
using Sluice.Telemetry;

namespace Sluice.Admin;

/// <summary>
/// The admin HTTP endpoint: /metrics (Prometheus text), /healthz and the JSON /api. A bare Kestrel
/// app of its own, apart from the proxy's listeners, so a slow scraper never shares a thread or
/// a limit with forwarded traffic. It reads no appsettings, environment or command line: its
/// only input is <see cref="AdminConfig"/>.
/// </summary>
internal sealed class AdminServer : IAsyncDisposable
{
    /// <summary>The .NET 9+ runtime's built-in meter: GC, JIT, thread pool, CPU and working set.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    private readonly AdminConfig _config;
    private readonly IGatewayStatus _status;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly List<ListenOptions> _listeners = [];
    private WebApplication? _app;
    private int _state;
    private volatile bool _listening;

    public AdminServer(AdminConfig config, IGatewayStatus status, ILoggerFactory loggerFactory)
    {
        _config = config;
        _status = status;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<AdminServer>();
    }

    /// <summary>The first address actually bound (a real port when the config asked for port 0).</summary>
    public IPEndPoint Endpoint => Endpoints.Count > 0
        ? Endpoints[0]
        : throw new InvalidOperationException("The admin server is not started.");

    /// <summary>Every address bound; more than one when the host name resolves to several.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints =>
        !_listening ? [] : _listeners.Select(l => l.IPEndPoint).OfType<IPEndPoint>().ToArray();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The admin server can be started only once.");
        }

        var addresses = await ResolveAsync(_config.Listen, cancellationToken);
        var app = Build(addresses);
        _app = app;
        await app.StartAsync(cancellationToken);
        _listening = true;
        foreach (var endpoint in Endpoints)
        {
            AdminLog.Listening(_logger, endpoint);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app && Interlocked.CompareExchange(ref _state, 2, 1) == 1)
        {
            _listening = false;
            await app.StopAsync(cancellationToken);
            AdminLog.Stopped(_logger);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            try
            {
                // Bounded, so a scraper that never finishes reading cannot hold up shutdown.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await StopAsync(cts.Token);
            }
            finally
            {
                await app.DisposeAsync();
                _app = null;
            }
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(HostPort listen, CancellationToken cancellationToken)
    {
        if (listen.Ip is { } ip)
        {
            return [ip];
        }

        // "localhost" with port 0 cannot go through Kestrel's ListenLocalhost (it refuses dynamic
        // ports for two families at once), so every name, localhost included, is resolved here.
        var resolved = (await Dns.GetHostAddressesAsync(listen.Host, cancellationToken)).Distinct().ToArray();
        if (resolved.Length == 0)
        {
            throw new IOException($"admin listen host \"{listen.Host}\" resolved to no address");
        }

        // Port 0 on several addresses would give each its own random port; one is what was meant.
        return listen.Port == 0 ? resolved[..1] : resolved;
    }

    private WebApplication Build(IPAddress[] addresses)
    {
        var builder = EmbeddedWebApp.CreateBuilder("Sluice.Admin", _loggerFactory, kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = 64;
            foreach (var address in addresses)
            {
                kestrel.Listen(address, _config.Listen.Port, _listeners.Add);
            }
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("sluice", serviceVersion: typeof(AdminServer).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
                .AddMeter(SluiceMetrics.MeterName, RuntimeMeterName, ProcessMetrics.MeterName)
                .AddView(instrument => PrometheusViews.Select(instrument, _status.Metrics))
                .AddPrometheusExporter(prometheus =>
                {
                    // Every series would otherwise carry otel_scope_name="Sluice" or
                    // "System.Runtime"; the sluice_ and dotnet_ prefixes already say that.
                    prometheus.ScopeInfoEnabled = false;
                    // Observable instruments are read at collection time, and a cached response
                    // would answer a scrape with counts from before it was made. Scrapes come
                    // seconds apart, so collecting for each one costs nothing worth caching.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));

        ProcessMetrics.EnsureCreated();
        var app = builder.Build();
        app.UseRouting();
        AdminEndpoints.Map(app, _status);
        return app;
    }
}
