using Sluice.Configuration.Toml;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Sluice.Configuration;

/// <summary>The steps every Sluice TOML file goes through before binding: read the text, check the syntax, resolve the tree.</summary>
internal static class TomlFile
{
    /// <summary>The file's text, or null with the one error that says why it cannot be read.</summary>
    public static string? ReadText(string fullPath, string kind, out ConfigError? error)
    {
        error = null;
        try
        {
            return File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => $"{kind} file not found",
                UnauthorizedAccessException => $"{kind} file is not readable: permission denied",
                _ => $"{kind} file could not be read: {ex.Message}",
            };
            error = new ConfigError(fullPath, 0, 0, string.Empty, reason);
            return null;
        }
    }

    /// <summary>The resolved tree, or null when the syntax is wrong (those errors added): binding a broken tree would pile guesses on the real error.</summary>
    public static TomlTableNode? Parse(string tomlText, string sourceName, ConfigErrorCollector errors)
    {
        var document = SyntaxParser.Parse(tomlText, sourceName, validate: true);
        if (document.HasErrors)
        {
            foreach (var diagnostic in document.Diagnostics)
            {
                if (diagnostic.Kind == DiagnosticMessageKind.Error)
                {
                    errors.Add(TextLocation.From(diagnostic.Span), string.Empty, diagnostic.Message);
                }
            }

            return null;
        }

        return TomlTreeBuilder.Build(document, errors);
    }
}
