using System.Diagnostics.CodeAnalysis;

namespace Sluice.Configuration;

/// <summary>The outcome of loading one file: a config, or every reason there is none.</summary>
public sealed class ConfigLoadResult
{
    public ConfigLoadResult(SluiceConfig? config, IReadOnlyList<ConfigError> errors)
    {
        // A half-valid config must never be started, so a config and errors never come together.
        Config = errors.Count == 0 ? config : null;
        Errors = errors;
    }

    /// <summary>Null when <see cref="Errors"/> is not empty.</summary>
    public SluiceConfig? Config { get; }

    /// <summary>In file order (line, then column).</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    [MemberNotNullWhen(true, nameof(Config))]
    public bool Succeeded => Config is not null;
}
