namespace Sluice.Forwarding;

public static class CloseReasonNames
{
    /// <summary>snake_case names, stable for logs and metric labels.</summary>
    public static string ToName(this CloseReason reason) => reason switch
    {
        CloseReason.Completed => "completed",
        CloseReason.ClientReset => "client_reset",
        CloseReason.UpstreamReset => "upstream_reset",
        CloseReason.IdleTimeout => "idle_timeout",
        CloseReason.Shutdown => "shutdown",
        CloseReason.NoHealthyUpstream => "no_healthy_upstream",
        CloseReason.ConnectFailed => "connect_failed",
        CloseReason.ProcessLimit => "process_limit",
        CloseReason.RouteLimit => "route_limit",
        _ => "unknown",
    };
}
