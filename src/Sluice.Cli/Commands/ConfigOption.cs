using System.CommandLine;

namespace Sluice.Cli.Commands;

internal static class ConfigOption
{
    public const string DefaultPath = "sluice.toml";

    public static Option<string?> Create() => new("--config", "-c")
    {
        Description = $"Path to the config file (default: ./{DefaultPath})",
    };
}
