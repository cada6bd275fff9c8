using Sluice.Cli.Bench;

namespace Sluice.IntegrationTests.Bench;

public sealed class ProcessMemoryTests
{
    [Fact]
    public void TryFindKib_ReadsTheLabelledLine()
    {
        string[] status = ["Name:\tsluice", "VmPeak:\t  900000 kB", "VmRSS:\t   61234 kB", "Threads:\t12"];

        Assert.True(ProcessMemory.TryFindKib(status, "VmRSS:", out var kib));
        Assert.Equal(61234, kib);
        Assert.False(ProcessMemory.TryFindKib(status, "Rss:", out _));
    }

    [Fact]
    public void ReadRssBytes_OfThisProcess_IsPlausible()
    {
        var rss = ProcessMemory.ReadRssBytes(Environment.ProcessId);

        Assert.InRange(rss, 1L << 20, 64L << 30);
    }

    [Fact]
    public void ReadRssBytes_OfNoSuchProcess_SaysWhichProcess()
    {
        var ex = Assert.Throws<BenchException>(() => ProcessMemory.ReadRssBytes(int.MaxValue - 1));

        Assert.Contains((int.MaxValue - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }
}
