using Microsoft.Extensions.Logging;

namespace Sluice.Admin;

/// <summary>
/// Sends the admin app's logs to the gateway's logger factory, so they share its sinks and format,
/// while the admin app's own filters (Microsoft.* at Warning) keep Kestrel's chatter out.
/// </summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    // The target factory belongs to the gateway, which disposes it after the admin app is gone.
    public void Dispose()
    {
    }
}
