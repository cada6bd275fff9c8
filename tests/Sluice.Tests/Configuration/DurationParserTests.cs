using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1m30s250ms", 90_250)]
    public void TryParse_ValidText_GivesDuration(string text, long expectedMilliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Theory]
    [InlineData("250us")]
    [InlineData("250µs")]
    public void TryParse_Microseconds_AreExact(string text)
    {
        Assert.True(DurationParser.TryParse(text, out var value, out _));
        Assert.Equal(TimeSpan.FromMicroseconds(250), value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("30", "needs a unit")]
    [InlineData("5 s", "not a duration")]
    [InlineData(" 5s", "not a duration")]
    [InlineData("-5s", "negative")]
    [InlineData("5sec", "unknown unit \"sec\"")]
    [InlineData("5d", "unknown unit \"d\"")]
    [InlineData("30m1h", "largest first")]
    [InlineData("1s1s", "largest first")]
    [InlineData("1us1µs", "largest first")]
    [InlineData("1.s", "not a duration")]
    [InlineData(".5s", "not a duration")]
    [InlineData("1e3ms", "unknown unit \"e\"")]
    [InlineData("0.00001us", "100ns")]
    [InlineData("99999999999h", "too long")]
    public void TryParse_InvalidText_ExplainsWhy(string text, string expectedInError)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var error));
        Assert.Contains(expectedInError, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(2_000, "2s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(90_250, "1m30s250ms")]
    public void Format_GivesShortestReadableForm(long milliseconds, string expected) =>
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(123_456_789)]
    public void Format_RoundTripsThroughTryParse(long ticks)
    {
        var value = TimeSpan.FromTicks(ticks);
        Assert.True(DurationParser.TryParse(DurationParser.Format(value), out var parsed, out var error), error);
        Assert.Equal(value, parsed);
    }
}
