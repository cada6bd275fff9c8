using System.Net;
using BenchmarkDotNet.Attributes;
using Sluice.Balancing;
using Sluice.Configuration;

namespace Sluice.Benchmarks.Micro;

/// <summary>One Pick per operation, for each policy over 8 healthy upstreams; a Pick runs once per new client connection and must not allocate.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class BalancingBenchmarks
{
    private UpstreamCluster? _cluster;
    private BalancingContext _context;

    [Params(BalancePolicyKind.RoundRobin, BalancePolicyKind.LeastConnections, BalancePolicyKind.PowerOfTwo, BalancePolicyKind.Random, BalancePolicyKind.SourceHash)]
    public BalancePolicyKind Policy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var upstreams = Enumerable.Range(0, 8)
            .Select(i => new UpstreamConfig { Address = new HostPort("127.0.0.1", 20000 + i), Weight = 1 + (i % 3) })
            .ToArray();
        _cluster = new UpstreamCluster(new ClusterConfig { Name = "bench", Balance = Policy, Upstreams = upstreams });
        _context = new BalancingContext(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 40000));
    }

    [Benchmark]
    public object? Pick() => _cluster!.Pick(in _context, []);

    [Benchmark]
    public object? PickAfterOneFailure()
    {
        var first = _cluster!.Pick(in _context, []);
        ReadOnlySpan<Sluice.Health.Upstream?> tried = [first];
        return _cluster.Pick(in _context, tried);
    }
}
