using Microsoft.Extensions.Logging;
using Sluice.Configuration;

namespace Sluice.Health;

/// <summary>Health log events; ids 3000-3099 belong to health and are stable (alerts match on them).</summary>
internal static partial class HealthLog
{
    [LoggerMessage(EventId = 3001, EventName = "UpstreamDown", Level = LogLevel.Warning,
        Message = "Upstream {Upstream} of cluster {Cluster} is down after {Failures} failed health check(s): {Reason}")]
    public static partial void UpstreamDown(ILogger logger, HostPort upstream, string cluster, int failures, string reason);

    [LoggerMessage(EventId = 3002, EventName = "UpstreamUp", Level = LogLevel.Information,
        Message = "Upstream {Upstream} of cluster {Cluster} is up after {Passes} passed health check(s)")]
    public static partial void UpstreamUp(ILogger logger, HostPort upstream, string cluster, int passes);

    [LoggerMessage(EventId = 3003, EventName = "UpstreamEjected", Level = LogLevel.Warning,
        Message = "Upstream {Upstream} of cluster {Cluster} is ejected after {Failures} consecutive connect failures; it is offered again in {EjectionTime}")]
    public static partial void UpstreamEjectedFor(ILogger logger, HostPort upstream, string cluster, int failures, TimeSpan ejectionTime);

    [LoggerMessage(EventId = 3008, EventName = "UpstreamEjectedUntilCheck", Level = LogLevel.Warning,
        Message = "Upstream {Upstream} of cluster {Cluster} is ejected after {Failures} consecutive connect failures; it is offered again when an active check passes")]
    public static partial void UpstreamEjectedUntilCheck(ILogger logger, HostPort upstream, string cluster, int failures);

    [LoggerMessage(EventId = 3004, EventName = "UpstreamReturned", Level = LogLevel.Information,
        Message = "Upstream {Upstream} of cluster {Cluster} is no longer ejected ({Reason}); on trial, one more connect failure ejects it again")]
    public static partial void UpstreamReturned(ILogger logger, HostPort upstream, string cluster, string reason);

    [LoggerMessage(EventId = 3005, EventName = "HealthCheckFailed", Level = LogLevel.Debug,
        Message = "Health check of {Upstream} of cluster {Cluster} failed: {Reason}")]
    public static partial void HealthCheckFailed(ILogger logger, HostPort upstream, string cluster, string reason);

    [LoggerMessage(EventId = 3006, EventName = "HealthCheckCrashed", Level = LogLevel.Error,
        Message = "Health check of {Upstream} of cluster {Cluster} threw; counted as a failure and checks go on")]
    public static partial void HealthCheckCrashed(ILogger logger, HostPort upstream, string cluster, Exception exception);

    [LoggerMessage(EventId = 3007, EventName = "HealthChecksStarted", Level = LogLevel.Debug,
        Message = "Health checks of cluster {Cluster} started for {Count} upstream(s) every {Interval}")]
    public static partial void HealthChecksStarted(ILogger logger, string cluster, int count, TimeSpan interval);
}
