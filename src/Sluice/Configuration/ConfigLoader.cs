// TEMPORARY stub until the config branch merges; replaced wholesale by it.
namespace Sluice.Configuration;

public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Key}: {Message}";
}

public sealed record ConfigLoadResult(SluiceConfig? Config, IReadOnlyList<ConfigError> Errors);

public static class ConfigLoader
{
    public static ConfigLoadResult Load(string path) =>
        File.Exists(path) ? new ConfigLoadResult(new SluiceConfig { SourcePath = Path.GetFullPath(path) }, []) : new ConfigLoadResult(null, [new ConfigError(path, 0, 0, "", "not found")]);
}

public static class DefaultConfig
{
    public static string Text => "";

    public static void WriteTo(string path) => File.WriteAllText(path, Text);
}
