using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Admin;
using Sluice.Configuration;

namespace Sluice.Hosting;

/// <summary>
/// Runs the admin endpoint for the host's lifetime. Registered before the gateway, so the host
/// stops it after the drain: /healthz answers 503 while connections finish.
/// </summary>
internal sealed class AdminService(SluiceConfig initial, IGatewayStatus status, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private AdminServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (initial.Admin is null)
        {
            return;
        }

        _server = new AdminServer(initial.Admin, status, loggers);
        try
        {
            await _server.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw new StartupException([$"admin: cannot listen on {initial.Admin.Listen}: {ex.Message}"]);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _server is null ? Task.CompletedTask : _server.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
