namespace Sluice.Protocols.Tunnels;

/// <summary>
/// The answer for one requested tunnel: on <see cref="RegisterStatus.Ok"/>, <see cref="Detail"/> is
/// the public endpoint ("0.0.0.0:20001"); otherwise it says why not.
/// </summary>
internal sealed record TunnelResult(string Name, RegisterStatus Status, ushort Port, string Detail);
