using Sluice.Configuration;

namespace Sluice.Cli.Commands;

internal static class ConfigFile
{
    /// <summary>Loads <paramref name="path"/>; on errors prints each to stderr with a count line and returns null.</summary>
    public static SluiceConfig? LoadOrReport(string path, string consequence)
    {
        var result = ConfigLoader.Load(path);
        if (result.Config is null)
        {
            Report(path, result.Errors, consequence);
        }

        return result.Config;
    }

    /// <summary>Loads an agent file; on errors prints each to stderr with a count line and returns null.</summary>
    public static AgentConfig? LoadAgentOrReport(string path, string consequence)
    {
        var (config, errors) = AgentConfigLoader.Load(path);
        if (config is null)
        {
            Report(path, errors, consequence);
        }

        return config;
    }

    private static void Report(string path, IReadOnlyCollection<ConfigError> errors, string consequence)
    {
        foreach (var error in errors)
        {
            Console.Error.WriteLine(error);
        }

        Console.Error.WriteLine($"{path}: {errors.Count} error{(errors.Count == 1 ? "" : "s")}{consequence}");
    }
}
