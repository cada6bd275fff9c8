using System.Runtime.CompilerServices;

namespace Sluice.IntegrationTests.Infrastructure;

internal static class TestAssemblySetup
{
    /// <summary>
    /// xunit and the test host block thread-pool threads in places; on a 2-core machine the pool
    /// starts with 2 threads and adds more only every ~0.5 s, which showed up as 1 s stalls in
    /// timing-sensitive tests. A higher floor keeps the tests about Sluice, not the runner.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseThreadPoolFloor() => ThreadPool.SetMinThreads(32, 32);
}
