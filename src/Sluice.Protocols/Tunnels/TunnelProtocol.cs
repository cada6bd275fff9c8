namespace Sluice.Protocols.Tunnels;

/// <summary>Versions of the tunnel control protocol.</summary>
internal static class TunnelProtocol
{
    /// <summary>The version this build speaks. The server answers a Hello with min(agent, server) or refuses below <see cref="MinVersion"/>.</summary>
    public const ushort Version = 2;

    /// <summary>The first version with HTTP tunnels (RegisterHttp, RegisterHttpResult, the inspect stream).</summary>
    public const ushort HttpTunnels = 2;

    public const ushort MinVersion = 1;
}
