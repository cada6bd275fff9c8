using Tomlyn.Syntax;

namespace Sluice.Configuration.Toml;

/// <summary>A 1-based line and column, the way editors and compilers report positions.</summary>
internal readonly record struct TextLocation(int Line, int Column)
{
    /// <summary>Tomlyn positions are 0-based; users count from 1.</summary>
    public static TextLocation From(SourceSpan span) => new(span.Start.Line + 1, span.Start.Column + 1);
}
