using Sluice.Configuration;

namespace Sluice.Cli.Commands;

internal static class ConfigFile
{
    /// <summary>Loads <paramref name="path"/>; on errors prints each to stderr with a count line and returns null.</summary>
    public static SluiceConfig? LoadOrReport(string path, string consequence)
    {
        var result = ConfigLoader.Load(path);
        if (result.Config is not null)
        {
            return result.Config;
        }

        foreach (var error in result.Errors)
        {
            Console.Error.WriteLine(error);
        }

        Console.Error.WriteLine($"{path}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}{consequence}");
        return null;
    }
}
