using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>
/// Power of two random choices: pick two distinct candidates at random, keep the one with fewer
/// connections per unit of weight. Nearly as even as least-connections but without every pick
/// herding onto the same least-loaded upstream when many proxies (or threads) decide at once.
/// </summary>
internal sealed class PowerOfTwoPolicy : ILoadBalancingPolicy
{
    private readonly Upstream[] _upstreams;

    public PowerOfTwoPolicy(Upstream[] upstreams) => _upstreams = upstreams;

    public Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried)
    {
        var rented = PolicyCandidates.RentIfLarge(_upstreams.Length);
        Span<int> candidates = rented ?? stackalloc int[PolicyCandidates.StackLimit];
        try
        {
            var count = PolicyCandidates.Collect(_upstreams, tried, candidates);
            switch (count)
            {
                case 0:
                    return null;
                case 1:
                    return _upstreams[candidates[0]];
            }

            var first = Random.Shared.Next(count);
            var second = Random.Shared.Next(count - 1);
            if (second >= first)
            {
                second++;
            }

            var a = _upstreams[candidates[first]];
            var b = _upstreams[candidates[second]];
            long loadA = (long)Math.Max(0, a.ActiveConnections) * PolicyCandidates.WeightOf(b);
            long loadB = (long)Math.Max(0, b.ActiveConnections) * PolicyCandidates.WeightOf(a);

            // On a tie `a` wins; it is already a random one of the two.
            return loadB < loadA ? b : a;
        }
        finally
        {
            PolicyCandidates.Return(rented);
        }
    }
}
