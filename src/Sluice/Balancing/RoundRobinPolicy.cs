using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>
/// Smooth weighted round robin (nginx's algorithm): weights 5:1:1 give a,a,b,a,c,a,a rather than
/// a,a,a,a,a,b,c, so a heavy upstream never gets a burst. Each pick adds every candidate's weight to
/// its running score, takes the highest and subtracts the candidates' total from it; over any
/// window of total-weight picks each upstream gets exactly its weight.
/// </summary>
/// <remarks>
/// The scores need a short lock (one pass over the upstreams, once per new connection, never per
/// byte); nginx holds its peers lock for the same. A lock-free precomputed schedule would skew the
/// shares whenever an upstream is down.
/// </remarks>
internal sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private readonly Upstream[] _upstreams;
    private readonly long[] _scores;
    private readonly Lock _gate = new();

    public RoundRobinPolicy(Upstream[] upstreams)
    {
        _upstreams = upstreams;
        _scores = new long[upstreams.Length];
    }

    public Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried)
    {
        lock (_gate)
        {
            var best = -1;
            long total = 0;
            for (var i = 0; i < _upstreams.Length; i++)
            {
                var upstream = _upstreams[i];
                if (!PolicyCandidates.IsCandidate(upstream, tried))
                {
                    continue;
                }

                var weight = PolicyCandidates.WeightOf(upstream);
                _scores[i] += weight;
                total += weight;
                if (best < 0 || _scores[i] > _scores[best])
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                return null;
            }

            _scores[best] -= total;
            return _upstreams[best];
        }
    }
}
