using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Balancing;

internal static class LoadBalancingPolicyFactory
{
    public static ILoadBalancingPolicy Create(BalancePolicyKind kind, Upstream[] upstreams) => kind switch
    {
        BalancePolicyKind.RoundRobin => new RoundRobinPolicy(upstreams),
        BalancePolicyKind.LeastConnections => new LeastConnectionsPolicy(upstreams),
        BalancePolicyKind.PowerOfTwo => new PowerOfTwoPolicy(upstreams),
        BalancePolicyKind.Random => new RandomPolicy(upstreams),
        BalancePolicyKind.SourceHash => new SourceHashPolicy(upstreams),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown balance policy"),
    };
}
