using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>A candidate chosen at random with probability proportional to its weight.</summary>
internal sealed class RandomPolicy : ILoadBalancingPolicy
{
    private readonly Upstream[] _upstreams;

    public RandomPolicy(Upstream[] upstreams) => _upstreams = upstreams;

    public Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried)
    {
        var rented = PolicyCandidates.RentIfLarge(_upstreams.Length);
        Span<int> candidates = rented ?? stackalloc int[PolicyCandidates.StackLimit];
        try
        {
            var count = PolicyCandidates.Collect(_upstreams, tried, candidates);
            if (count == 0)
            {
                return null;
            }

            long total = 0;
            for (var i = 0; i < count; i++)
            {
                total += PolicyCandidates.WeightOf(_upstreams[candidates[i]]);
            }

            var ticket = Random.Shared.NextInt64(total);
            for (var i = 0; i < count - 1; i++)
            {
                var upstream = _upstreams[candidates[i]];
                ticket -= PolicyCandidates.WeightOf(upstream);
                if (ticket < 0)
                {
                    return upstream;
                }
            }

            // Also reached if a weight changed (reload) between the two passes.
            return _upstreams[candidates[count - 1]];
        }
        finally
        {
            PolicyCandidates.Return(rented);
        }
    }
}
