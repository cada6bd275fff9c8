using BenchmarkDotNet.Running;
using Sluice.Benchmarks.Micro;
using Sluice.Benchmarks.Report;

// report: the last step of bench/compare.sh; alloc: a quick allocation count through the pump;
// anything else goes to BenchmarkDotNet (e.g. --filter '*Pump*').
return args.FirstOrDefault() switch
{
    "report" => ComparisonReport.Run(args[1..]),
    "alloc" => await PumpAllocationCheck.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(PumpBenchmarks).Assembly).Run(args);
    return 0;
}
