using System.Net;
using System.Net.Sockets;
using Sluice.Health;

namespace Sluice.Balancing;

/// <summary>
/// Client affinity by source IP with weighted rendezvous (highest random weight) hashing: every
/// candidate gets a score from hash(client, upstream) and the highest wins. When an upstream goes
/// down only the clients whose winner it was move (to their second-best); everyone else keeps
/// their upstream, and they move back when it returns. The upstream key is its configured address,
/// so the mapping is the same across reloads, restarts and every Sluice instance.
/// </summary>
/// <remarks>
/// Weighted scores follow Schindelhauer and Schomaker: score = -weight / ln(u) with u uniform in
/// (0,1) from the hash, which gives each upstream a share proportional to its weight. O(n) per pick,
/// which for clusters of tens of upstreams is cheaper than a ring lookup and needs no rebuild.
/// Connections with no client address (e.g. a Unix socket listener) fall back to weighted random.
/// </remarks>
internal sealed class SourceHashPolicy : ILoadBalancingPolicy
{
    private readonly Upstream[] _upstreams;
    private readonly ulong[] _keys;
    private readonly RandomPolicy _noClient;

    public SourceHashPolicy(Upstream[] upstreams)
    {
        _upstreams = upstreams;
        _keys = new ulong[upstreams.Length];
        for (var i = 0; i < upstreams.Length; i++)
        {
            _keys[i] = StableHash.Of(upstreams[i].Address.ToString());
        }

        _noClient = new RandomPolicy(upstreams);
    }

    public Upstream? Pick(in BalancingContext context, ReadOnlySpan<Upstream?> tried)
    {
        if (context.Client is not { } client)
        {
            return _noClient.Pick(context, tried);
        }

        var clientKey = HashAddress(client.Address);
        Upstream? best = null;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _upstreams.Length; i++)
        {
            var upstream = _upstreams[i];
            if (!PolicyCandidates.IsCandidate(upstream, tried))
            {
                continue;
            }

            var score = Score(clientKey, _keys[i], PolicyCandidates.WeightOf(upstream));
            if (score > bestScore)
            {
                best = upstream;
                bestScore = score;
            }
        }

        return best;
    }

    internal static double Score(ulong clientKey, ulong upstreamKey, int weight)
    {
        var hash = StableHash.Mix(clientKey ^ StableHash.Mix(upstreamKey));

        // The top 53 bits as a double in (0, 1): never 0, so the log is finite and negative.
        var unit = ((hash >> 11) + 0.5) / (1UL << 53);
        return -weight / Math.Log(unit);
    }

    /// <summary>Hashes the address bytes; an IPv4-mapped IPv6 address hashes as its IPv4 form, so dual-stack listeners agree.</summary>
    internal static ulong HashAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return 0;
        }

        ReadOnlySpan<byte> key = bytes[..written];
        if (written == 16 && address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
        {
            key = key[12..];
        }

        return StableHash.Of(key);
    }
}
