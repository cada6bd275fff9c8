using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Admin;
using Sluice.Configuration;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// The agent's local inspector: a web page and a JSON API over an <see cref="InspectorStore"/>,
/// with replay of a captured request to the tunnel's local service. A bare Kestrel app like the
/// admin endpoint (no configuration sources, no console lifetime, logs into the agent's factory).
/// It is meant for loopback: it refuses requests whose Host is not its own address (see
/// <see cref="InspectorGuard"/>), and replay is its only write.
/// </summary>
internal sealed class InspectorServer : IAsyncDisposable
{
    private readonly HostPort _listen;
    private readonly InspectorStore _store;
    private readonly Func<string, ReplayTarget?> _resolveTunnel;
    private readonly ExchangeReplayer _replayer;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly List<ListenOptions> _listeners = [];
    private WebApplication? _app;
    private int _state;

    public InspectorServer(HostPort listen, InspectorStore store, Func<string, ReplayTarget?> resolveTunnel, int bodyBytes, ILoggerFactory loggers)
    {
        _listen = listen;
        _store = store;
        _resolveTunnel = resolveTunnel;
        _replayer = new ExchangeReplayer(bodyBytes);
        _loggerFactory = loggers;
        _logger = loggers.CreateLogger<InspectorServer>();
    }

    /// <summary>The address bound: a real port when the listen port was 0.</summary>
    public IPEndPoint Endpoint => _state == 1 && _listeners.Count > 0 && _listeners[0].IPEndPoint is { } endpoint
        ? endpoint
        : throw new InvalidOperationException("The inspector is not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The inspector can be started only once.");
        }

        var address = await Transport.ListenAddress.ResolveAsync(_listen, "inspector listen", cancellationToken);
        _app = Build(address);
        await _app.StartAsync(cancellationToken);
        InspectorLog.Listening(_logger, Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        if (_app is { } app)
        {
            try
            {
                // Bounded: the stop ends the page's long polls at once, but a client that stops
                // reading an answer must not hold up the agent's shutdown.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await app.StopAsync(cts.Token);
                InspectorLog.Stopped(_logger);
            }
            finally
            {
                await app.DisposeAsync();
                _app = null;
            }
        }

        _replayer.Dispose();
    }

    // One address, unlike the admin endpoint: the inspector is one local page, and the Host guard
    // accepts the name it was configured with, whichever of its addresses a browser picks.
    private WebApplication Build(IPAddress address)
    {
        var builder = EmbeddedWebApp.CreateBuilder("Sluice.Inspector", _loggerFactory, kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = 64;
            // Nothing the inspector accepts has a body worth more than this; replay takes none.
            kestrel.Limits.MaxRequestBodySize = 16 * 1024;
            kestrel.Listen(address, _listen.Port, _listeners.Add);
        });
        builder.Services.AddRoutingCore();

        var app = builder.Build();
        var guard = new InspectorGuard(_listen.Host, _logger);
        app.Use(guard.InvokeAsync);
        app.UseRouting();
        InspectorEndpoints.Map(app, new InspectorEndpoints(_store, _resolveTunnel, _replayer, _logger, app.Lifetime.ApplicationStopping));
        return app;
    }
}
