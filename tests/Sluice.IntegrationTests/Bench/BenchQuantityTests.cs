using Sluice.Cli.Bench;

namespace Sluice.IntegrationTests.Bench;

/// <summary>The command line's sizes and durations (no sockets).</summary>
public sealed class BenchQuantityTests
{
    [Theory]
    [InlineData("64", 64)]
    [InlineData("16k", 16 * 1024)]
    [InlineData("16KiB", 16 * 1024)]
    [InlineData("1m", 1024 * 1024)]
    [InlineData("100b", 100)]
    public void TryParseSize_ReadsBinaryMultiples(string text, int expected)
    {
        Assert.True(BenchQuantity.TryParseSize(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("lots")]
    [InlineData("65m")]
    public void TryParseSize_RefusesWhatIsNotASize_SayingWhatIsExpected(string text)
    {
        Assert.False(BenchQuantity.TryParseSize(text, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
        Assert.Contains("e.g.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("0s", 0)]
    public void TryParseDuration_ReadsUnits(string text, int expectedMs)
    {
        Assert.True(BenchQuantity.TryParseDuration(text, out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), duration);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-3s")]
    [InlineData("10x")]
    public void TryParseDuration_RefusesWhatIsNotADuration(string text)
    {
        Assert.False(BenchQuantity.TryParseDuration(text, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5000", 5000L)]
    [InlineData("100m", 100L << 20)]
    [InlineData("2g", 2L << 30)]
    public void TryParseByteCount_ReadsLargeTotals(string text, long expected)
    {
        Assert.True(BenchQuantity.TryParseByteCount(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }
}
