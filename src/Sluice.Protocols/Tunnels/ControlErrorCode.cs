namespace Sluice.Protocols.Tunnels;

/// <summary>Why a side closes the control stream; sent in an <see cref="ErrorMessage"/> before closing.</summary>
internal enum ControlErrorCode : byte
{
    ProtocolError = 1,
    UnsupportedVersion = 2,

    /// <summary>Wrong name or wrong token: deliberately one code, so a prober learns neither.</summary>
    AuthenticationFailed = 3,

    /// <summary>A newer session of the same agent name took over.</summary>
    Replaced = 4,
    ShuttingDown = 5,
    Timeout = 6,
}
