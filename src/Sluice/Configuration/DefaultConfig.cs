namespace Sluice.Configuration;

/// <summary>
/// The commented sluice.toml a newcomer starts from: a working demo on loopback (a proxy in front of
/// two built-in echo servers) that also lists every other key with its default.
/// </summary>
public static class DefaultConfig
{
    private const string ResourceName = "Sluice.Configuration.default.sluice.toml";

    private static readonly Lazy<string> LazyText = new(ReadResource);

    public static string Text => LazyText.Value;

    /// <summary>Writes <see cref="Text"/> to a new file; throws <see cref="IOException"/> if it exists.</summary>
    public static void WriteTo(string path)
    {
        ArgumentNullException.ThrowIfNull(path);

        // CreateNew rather than an Exists check: the refusal holds even if the file appears meanwhile.
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new IOException($"{Path.GetFullPath(path)} already exists; not overwriting it", ex);
        }

        using (stream)
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Text);
        }
    }

    private static string ReadResource()
    {
        using var stream = typeof(DefaultConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
