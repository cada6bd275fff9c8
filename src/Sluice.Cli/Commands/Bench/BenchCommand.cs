using System.CommandLine;

namespace Sluice.Cli.Commands.Bench;

/// <summary>`sluice bench`: load generators, one subcommand per job (each in its own files).</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure a Sluice job on loopback with a built-in load generator")
    {
        FirehoseBenchCommand.Create(),
    };
}
