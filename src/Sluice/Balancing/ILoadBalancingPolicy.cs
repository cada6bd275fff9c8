using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>
/// Chooses among a cluster's upstreams (given to the policy when it is created). Called
/// concurrently for every new client connection, so an implementation is thread-safe and does not
/// allocate.
/// </summary>
internal interface ILoadBalancingPolicy
{
    /// <summary>A healthy upstream not in <paramref name="tried"/>, or null when there is none.</summary>
    Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried);
}
