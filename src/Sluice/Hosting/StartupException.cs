namespace Sluice.Hosting;

/// <summary>The config was valid but could not be put to work (e.g. an address already in use).</summary>
public sealed class StartupException(IReadOnlyList<string> errors) : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
