using System.Net;

namespace Sluice.Balancing;

/// <summary>What a policy may look at when choosing an upstream for one client connection.</summary>
public readonly record struct BalancingContext(IPEndPoint? Client);
