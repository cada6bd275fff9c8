using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

/// <summary>Host names of HTTP tunnels: the form config, registration and routing all compare.</summary>
public sealed class HttpHostNameTests
{
    private static readonly string Label63 = new('a', 63);

    [Theory]
    [InlineData("office", "office")]
    [InlineData("Office", "office")]
    [InlineData("Demo.Tunnel.Example.COM", "demo.tunnel.example.com")]
    [InlineData("demo.tunnel.example.com.", "demo.tunnel.example.com")]
    [InlineData("  shop  ", "shop")]
    [InlineData("my-app-2", "my-app-2")]
    [InlineData("123", "123")]
    [InlineData("x", "x")]
    public void TryNormalize_WellFormedName_LowerCaseWithoutTrailingDot(string text, string expected)
    {
        Assert.True(HttpHostName.TryNormalize(text, out var host, out var error), error);
        Assert.Equal(expected, host);
        Assert.Null(error);
    }

    [Fact]
    public void TryNormalize_LabelOf63AndNameOf253_AreTheLimits()
    {
        var longest = $"{Label63}.{new string('b', 63)}.{new string('c', 63)}.{new string('d', 61)}";
        Assert.Equal(253, longest.Length);
        Assert.True(HttpHostName.TryNormalize(longest, out _, out _));
        Assert.True(HttpHostName.TryNormalize($"{Label63}.example.com", out _, out _));

        Assert.False(HttpHostName.TryNormalize(longest + "d", out _, out var tooLong));
        Assert.Contains("1-253 characters", tooLong, StringComparison.Ordinal);
        Assert.False(HttpHostName.TryNormalize($"{Label63}a.example.com", out _, out var labelTooLong));
        Assert.Contains("1-63 letters, digits or '-'", labelTooLong, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "1-253 characters")]
    [InlineData(".", "1-253 characters")]
    [InlineData("   ", "1-253 characters")]
    [InlineData("-office", "not starting or ending with '-'")]
    [InlineData("office-", "not starting or ending with '-'")]
    [InlineData("shop.-example.org", "not starting or ending with '-'")]
    [InlineData("my_app", "letters, digits or '-'")]
    [InlineData("a..b", "each dot-separated label is 1-63")]
    [InlineData(".office", "each dot-separated label is 1-63")]
    [InlineData("demo..", "each dot-separated label is 1-63")]
    [InlineData("*.example.com", "letters, digits or '-'")]
    [InlineData("office:8080", "letters, digits or '-'")]
    [InlineData("exämple.com", "letters, digits or '-'")]
    [InlineData("10.0.0.1:80", "letters, digits or '-'")]
    [InlineData("[::1]", "letters, digits or '-'")]
    public void TryNormalize_BadName_IsRefusedQuotingWhatWasWritten(string text, string words)
    {
        Assert.False(HttpHostName.TryNormalize(text, out _, out var error));
        Assert.StartsWith($"\"{text}\" is not a host name", error, StringComparison.Ordinal);
        Assert.Contains(words, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo", "tunnel.example.com", "demo.tunnel.example.com")]
    [InlineData("app.example.org", "tunnel.example.com", "app.example.org")]
    [InlineData("app.example.org", "", "app.example.org")]
    public void Resolve_BareLabelGoesUnderTheDomain_AFullHostStaysItself(string claim, string domain, string expected) =>
        Assert.Equal(expected, HttpHostName.Resolve(claim, domain));

    [Fact]
    public void Resolve_BareLabelWithoutADomain_IsNull() => Assert.Null(HttpHostName.Resolve("demo", string.Empty));

    [Theory]
    [InlineData("office.tunnel.test", "office.tunnel.test")]
    [InlineData("OFFICE.Tunnel.test:8080", "office.tunnel.test")]
    [InlineData("office.tunnel.test.", "office.tunnel.test")]
    [InlineData("office.tunnel.test.:443", "office.tunnel.test")]
    [InlineData("localhost", "localhost")]
    [InlineData("127.0.0.1:8080", "127.0.0.1")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("[::1]:8080", "[::1]")]
    [InlineData("[2001:DB8::1]:443", "[2001:db8::1]")]
    public void FromHeader_DropsPortAndTrailingDotAndCase(string header, string expected) =>
        Assert.Equal(expected, HttpHostName.FromHeader(header));

    [Fact]
    public void FromHeader_OfANormalizedClaim_MatchesTheClaim()
    {
        // Routing compares FromHeader(Host) with the normalized, resolved claim: the two forms must meet.
        Assert.True(HttpHostName.TryNormalize("Shop.Example.ORG.", out var claim, out _));
        Assert.Equal(claim, HttpHostName.FromHeader("shop.EXAMPLE.org.:8443"));
    }
}
