using BenchmarkDotNet.Attributes;

namespace Sluice.Benchmarks.Micro;

/// <summary>
/// One client→upstream chunk through the real pump over loopback sockets, per operation. The
/// memory column is bytes allocated per forwarded chunk, by the pump and this loop together
/// (the loop allocates one Task per 1,000 chunks; socket ValueTask operations reuse their awaitables).
/// </summary>
[Config(typeof(InlineCompletionsConfig))]
public class PumpBenchmarks
{
    private const int ChunksPerInvoke = 1000;

    private PumpRig? _rig;
    private byte[] _chunk = [];
    private byte[] _into = [];

    [Params(64, 1024, 16 * 1024)]
    public int ChunkBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rig = new PumpRig();
        _chunk = new byte[ChunkBytes];
        _into = new byte[ChunkBytes];
    }

    [GlobalCleanup]
    public void Cleanup() => _rig!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = ChunksPerInvoke)]
    public Task ForwardChunk() => _rig!.ForwardAsync(ChunksPerInvoke, _chunk, _into);
}
