namespace Sluice.Protocols.Tunnels;

/// <summary>One reverse tunnel an agent asks for: public port <see cref="RemotePort"/> on the server, called <see cref="Name"/>.</summary>
internal sealed record TunnelRequest(string Name, ushort RemotePort);
