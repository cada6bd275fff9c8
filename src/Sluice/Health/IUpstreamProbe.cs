using Sluice.Configuration;

namespace Sluice.Health;

/// <summary>One active health check against one upstream; the monitor owns the schedule.</summary>
internal interface IUpstreamProbe
{
    /// <summary>Never throws for a failing upstream; a failure is a <see cref="ProbeResult"/> with a reason.</summary>
    ValueTask<ProbeResult> ProbeAsync(HostPort target, CancellationToken cancellationToken);
}
