using System.CommandLine;
using System.CommandLine.Parsing;
using Sluice.Cli.Bench;

namespace Sluice.Cli.Commands.Bench;

/// <summary>The options the `bench` subcommands share, so they read and parse alike.</summary>
internal static class BenchOptions
{
    public static Argument<string> Target() => new("target") { Description = "host:port to load (an echo for rr, churn and hold)" };

    public static Option<int> Connections(int defaultValue, string description) => new("--connections", "-c")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => Positive(r, "--connections") },
    };

    public static Option<int> Size(string name, int defaultValue, string description, bool allowZero = false) => new(name, "-s")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (allowZero && text == "0")
            {
                return 0;
            }

            if (BenchQuantity.TryParseSize(text, out var bytes, out var error))
            {
                return bytes;
            }

            r.AddError($"{name}: {error}");
            return 0;
        },
    };

    public static Option<TimeSpan?> Duration(string name, string description) => new(name, name == "--duration" ? ["-d"] : [])
    {
        Description = description,
        CustomParser = r =>
        {
            if (BenchQuantity.TryParseDuration(r.Tokens[0].Value, out var duration, out var error))
            {
                return duration;
            }

            r.AddError($"{name}: {error}");
            return null;
        },
    };

    public static Option<long?> Count(string description) => new("--count", "-n")
    {
        Description = description,
        Validators =
        {
            r =>
            {
                if (r.GetValueOrDefault<long?>() is <= 0)
                {
                    r.AddError("--count must be at least 1");
                }
            },
        },
    };

    public static Option<string?> Json() => new("--json") { Description = "Also write the result as JSON to this file" };

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress bar and no table (for scripts; use with --json)" };

    private static void Positive(OptionResult result, string name)
    {
        if (result.GetValueOrDefault<int>() < 1)
        {
            result.AddError($"{name} must be at least 1");
        }
    }
}
