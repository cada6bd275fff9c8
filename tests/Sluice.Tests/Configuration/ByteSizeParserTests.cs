using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

public sealed class ByteSizeParserTests
{
    [Theory]
    [InlineData("0B", 0)]
    [InlineData("512B", 512)]
    [InlineData("64KiB", 65_536)]
    [InlineData("1MiB", 1_048_576)]
    [InlineData("1.5MiB", 1_572_864)]
    [InlineData("1GiB", 1_073_741_824)]
    [InlineData("2TiB", 2_199_023_255_552)]
    public void TryParse_ValidText_GivesBytes(string text, long expected)
    {
        Assert.True(ByteSizeParser.TryParse(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("512", "needs a unit")]
    [InlineData("64KB", "write \"64KiB\"")]
    [InlineData("1mb", "write \"1MiB\"")]
    [InlineData("64kib", "unknown unit")]
    [InlineData("1 MiB", "one number and a unit")]
    [InlineData("-1MiB", "not a size")]
    [InlineData("1.5B", "whole number of bytes")]
    [InlineData("99999999TiB", "too large")]
    [InlineData("1MiB2KiB", "one number and a unit")]
    public void TryParse_InvalidText_ExplainsWhy(string text, string expectedInError)
    {
        Assert.False(ByteSizeParser.TryParse(text, out _, out var error));
        Assert.Contains(expectedInError, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(1000, "1000B")]
    [InlineData(65_536, "64KiB")]
    [InlineData(1_572_864, "1536KiB")]
    [InlineData(1_073_741_824, "1GiB")]
    public void Format_UsesLargestExactUnit(long bytes, string expected) =>
        Assert.Equal(expected, ByteSizeParser.Format(bytes));
}
