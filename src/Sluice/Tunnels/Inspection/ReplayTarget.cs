using Sluice.Configuration;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// Where a replay of a tunnel's exchange goes: the tunnel's local service, straight from the agent
/// (not through the edge), with the Host header the edge would have sent for that tunnel; a null
/// <see cref="HostHeader"/> keeps the public host the user named (<see cref="ExchangeRecord.Host"/>).
/// </summary>
public sealed record ReplayTarget(HostPort Local, string? HostHeader);
