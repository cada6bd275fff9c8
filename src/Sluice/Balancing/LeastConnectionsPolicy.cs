using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>
/// The candidate with the fewest open connections per unit of weight (conns/weight, compared by
/// cross-multiplying so no division or rounding). Ties go to a uniformly random one of the tied
/// upstreams, so an idle cluster spreads a burst of new connections instead of piling it onto the
/// first upstream before any counter moves.
/// </summary>
internal sealed class LeastConnectionsPolicy : ILoadBalancingPolicy
{
    private readonly Upstream[] _upstreams;

    public LeastConnectionsPolicy(Upstream[] upstreams) => _upstreams = upstreams;

    public Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried)
    {
        Upstream? best = null;
        long bestConnections = 0;
        long bestWeight = 1;
        var ties = 0;
        foreach (var upstream in _upstreams)
        {
            if (!PolicyCandidates.IsCandidate(upstream, tried))
            {
                continue;
            }

            long connections = Math.Max(0, upstream.ActiveConnections);
            long weight = PolicyCandidates.WeightOf(upstream);
            var order = best is null ? -1 : (connections * bestWeight).CompareTo(bestConnections * weight);
            if (order < 0)
            {
                best = upstream;
                bestConnections = connections;
                bestWeight = weight;
                ties = 1;
            }
            else if (order == 0 && Random.Shared.Next(++ties) == 0)
            {
                // Reservoir sampling: the k-th tied upstream replaces the choice with probability 1/k.
                best = upstream;
                bestConnections = connections;
                bestWeight = weight;
            }
        }

        return best;
    }
}
