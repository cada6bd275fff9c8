using Microsoft.Extensions.Hosting;

namespace Sluice.Admin;

/// <summary>
/// The admin app lives inside the gateway's process and is stopped by the gateway, never by a
/// signal: the default console lifetime would hook SIGTERM/Ctrl+C and stop the admin endpoint
/// while the gateway drains, which is exactly when /healthz has to answer 503.
/// </summary>
internal sealed class AdminHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
