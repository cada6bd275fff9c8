namespace Sluice.Forwarding;

/// <summary>Why a forwarded connection ended; written to the access log and error metrics.</summary>
public enum CloseReason
{
    /// <summary>Both sides sent FIN: a normal end.</summary>
    Completed,
    ClientReset,
    UpstreamReset,
    IdleTimeout,

    /// <summary>The drain deadline passed during shutdown, or the connection was aborted by the host.</summary>
    Shutdown,
    NoHealthyUpstream,
    ConnectFailed,
    ProcessLimit,
    RouteLimit,
}
