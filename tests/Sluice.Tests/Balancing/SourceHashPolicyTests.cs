using System.Net;
using Sluice.Balancing;
using Sluice.Health;

namespace Sluice.Tests.Balancing;

public sealed class SourceHashPolicyTests
{
    private static readonly BalancingContext[] Clients = Enumerable.Range(0, 3000)
        .Select(i => new BalancingContext(new IPEndPoint(IPAddress.Parse($"198.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}"), 1024 + (i % 50000))))
        .ToArray();

    [Fact]
    public void Pick_SameClientIp_AlwaysSameUpstream_WhateverThePort()
    {
        var policy = new SourceHashPolicy(TestUpstreams.Equal(5));
        var ip = IPAddress.Parse("203.0.113.9");

        var first = policy.Pick(new BalancingContext(new IPEndPoint(ip, 1111)), []);
        for (var port = 2000; port < 2200; port++)
        {
            Assert.Same(first, policy.Pick(new BalancingContext(new IPEndPoint(ip, port)), []));
        }
    }

    [Fact]
    public void Pick_SameMappingAcrossPolicyInstances()
    {
        // A reload or a second Sluice instance must send each client where the first one did.
        var aUpstreams = TestUpstreams.Equal(4);
        var a = new SourceHashPolicy(aUpstreams);
        var bUpstreams = TestUpstreams.Equal(4);
        var b = new SourceHashPolicy(bUpstreams);

        foreach (var client in Clients)
        {
            Assert.Equal(Array.IndexOf(aUpstreams, a.Pick(client, [])), Array.IndexOf(bUpstreams, b.Pick(client, [])));
        }
    }

    [Fact]
    public void Pick_UpstreamGoesDown_OnlyItsClientsMove_AndTheyComeBack()
    {
        var upstreams = TestUpstreams.Equal(4);
        var policy = new SourceHashPolicy(upstreams);
        var before = Clients.Select(c => policy.Pick(c, [])).ToArray();

        TestUpstreams.MarkDown(upstreams[2]);
        var during = Clients.Select(c => policy.Pick(c, [])).ToArray();
        TestUpstreams.MarkUp(upstreams[2]);
        var after = Clients.Select(c => policy.Pick(c, [])).ToArray();

        var moved = 0;
        for (var i = 0; i < Clients.Length; i++)
        {
            if (before[i] == upstreams[2])
            {
                Assert.NotSame(upstreams[2], during[i]);
                moved++;
            }
            else
            {
                Assert.Same(before[i], during[i]);
            }
        }

        Assert.InRange(moved, 600, 900);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Pick_TriedUpstream_MovesOnlyThatClient()
    {
        var upstreams = TestUpstreams.Equal(3);
        var policy = new SourceHashPolicy(upstreams);
        var client = Clients[42];
        var first = policy.Pick(client, []);

        var retry = policy.Pick(client, [first]);

        Assert.NotNull(retry);
        Assert.NotSame(first, retry);
        Assert.Same(retry, policy.Pick(client, [first]));
    }

    [Fact]
    public void Pick_SpreadsClientsByWeight()
    {
        var upstreams = TestUpstreams.WithWeights(1, 1, 2);
        var policy = new SourceHashPolicy(upstreams);

        var counts = new Dictionary<Upstream, int>();
        foreach (var client in Clients)
        {
            var picked = policy.Pick(client, [])!;
            counts[picked] = counts.GetValueOrDefault(picked) + 1;
        }

        Assert.InRange(counts[upstreams[0]], 600, 900);
        Assert.InRange(counts[upstreams[1]], 600, 900);
        Assert.InRange(counts[upstreams[2]], 1300, 1700);
    }

    [Fact]
    public void Pick_Ipv4MappedIpv6_HashesLikeIpv4()
    {
        var policy = new SourceHashPolicy(TestUpstreams.Equal(7));
        foreach (var client in Clients.Take(200))
        {
            var v4 = client.Client!;
            var mapped = new BalancingContext(new IPEndPoint(v4.Address.MapToIPv6(), v4.Port));
            Assert.Same(policy.Pick(client, []), policy.Pick(mapped, []));
        }
    }

    [Fact]
    public void Pick_NoClientAddress_StillPicks()
    {
        var upstreams = TestUpstreams.Equal(2);
        var policy = new SourceHashPolicy(upstreams);

        var counts = TestUpstreams.Count(() => policy.Pick(default, []), 1000);

        Assert.Equal(2, counts.Count);
    }
}
