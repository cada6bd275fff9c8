using Sluice.Benchmarks.Report;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Bench;

/// <summary>compare.sh --syscalls: strace -c's summary read as calls per request (captured output); no sockets.</summary>
public sealed class SyscallProfileTests
{
    private const string Strace = """
        % time     seconds  usecs/call     calls    errors syscall
        ------ ----------- ----------- --------- --------- ----------------
         61.83    2.945591        9176       321        51 futex
          7.83    0.372889           7     52872     26385 recvfrom
          7.23    0.344395          13     26385           sendto
          2.51    0.119583          43      2725           sched_yield
        ------ ----------- ----------- --------- --------- ----------------
        100.00    4.764000          58     82303     26436 total
        """;

    [Fact]
    public void ParseStraceSummary_ReadsCallsAndErrorsByName()
    {
        var calls = SyscallProfile.ParseStraceSummary(Strace);

        Assert.Equal((52872L, 26385L), calls["recvfrom"]);
        Assert.Equal((26385L, 0L), calls["sendto"]);
        Assert.Equal(82303L, calls["total"].Calls);
        Assert.DoesNotContain("syscall", calls.Keys);
    }

    [Fact]
    public void Render_GivesCallsPerRequest_AndHowManyFailed()
    {
        using var dir = new TempDirectory();
        dir.File("syscalls.wrk.sluice.txt", Strace);
        dir.File("syscalls.wrk.sluice.requests", "13157\n");

        var table = SyscallProfile.Render(dir.Path);

        Assert.Contains("| wrk | Sluice | 13,157 | 6.26 |", table, StringComparison.Ordinal);
        Assert.Contains("recvfrom 4.02 (2.01 failed", table, StringComparison.Ordinal);
        Assert.Contains("sendto 2.01,", table, StringComparison.Ordinal);
    }
}
