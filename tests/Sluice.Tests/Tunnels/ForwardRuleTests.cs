using System.Net;
using Sluice.Configuration;

namespace Sluice.Tests.Tunnels;

public sealed class ForwardRuleTests
{
    [Theory]
    [InlineData("127.0.0.0/8:1-65535", "127.9.8.7", 22, true)]
    [InlineData("127.0.0.0/8:1-65535", "128.0.0.1", 22, false)]
    [InlineData("10.0.0.0/8:5432", "10.200.0.1", 5432, true)]
    [InlineData("10.0.0.0/8:5432", "10.200.0.1", 5433, false)]
    [InlineData("10.0.0.5:22", "10.0.0.5", 22, true)]
    [InlineData("10.0.0.5:22", "10.0.0.6", 22, false)]
    [InlineData("192.168.1.0/23:80", "192.168.0.255", 80, true)]
    [InlineData("192.168.1.0/23:80", "192.168.2.0", 80, false)]
    [InlineData("[::1]/128:80-81", "::1", 81, true)]
    [InlineData("[fd00::]/8:443", "fd12::1", 443, true)]
    [InlineData("[fd00::]/8:443", "fe80::1", 443, false)]
    [InlineData("127.0.0.0/8:80", "::ffff:127.0.0.1", 80, true)]
    [InlineData("0.0.0.0/0:443", "8.8.8.8", 443, true)]
    [InlineData("0.0.0.0/0:443", "::1", 443, false)]
    public void Network_rules_match_addresses_and_ports(string rule, string address, int port, bool allowed)
    {
        Assert.True(ForwardRule.TryParse(rule, out var parsed, out var error), error);
        Assert.Equal(allowed, parsed!.MatchesAddress(IPAddress.Parse(address), port));
    }

    [Theory]
    [InlineData("db.internal:5432", "db.internal", 5432, true)]
    [InlineData("db.internal:5432", "DB.Internal.", 5432, true)]
    [InlineData("db.internal:5432", "db.internal", 5433, false)]
    [InlineData("db.internal:5432", "evil-db.internal", 5432, false)]
    [InlineData("db.internal:5432", "db.internal.evil.com", 5432, false)]
    public void Name_rules_match_the_requested_name_exactly(string rule, string host, int port, bool allowed)
    {
        Assert.True(ForwardRule.TryParse(rule, out var parsed, out _));
        Assert.Equal(allowed, parsed!.MatchesName(host, port));
        Assert.False(parsed.MatchesAddress(IPAddress.Loopback, port));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "no port")]
    [InlineData("10.0.0.0/33:80", "prefix length must be 0-32")]
    [InlineData("10.0.0.0/8:0", "not a port")]
    [InlineData("10.0.0.0/8:90-80", "starts after it ends")]
    [InlineData("::1:80", "brackets")]
    [InlineData("bad_host!:80", "neither a network")]
    [InlineData("db.internal/8:80", "neither a network")]
    public void Bad_rules_say_what_is_wrong(string rule, string reason)
    {
        Assert.False(ForwardRule.TryParse(rule, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20000-20100", 20000, 20100)]
    [InlineData("22", 22, 22)]
    public void Port_ranges_parse(string text, int first, int last)
    {
        Assert.True(PortRange.TryParse(text, out var range, out _));
        Assert.Equal(new PortRange(first, last), range);
        Assert.True(range.Contains(first) && range.Contains(last) && !range.Contains(last + 1) && !range.Contains(first - 1));
    }

    [Theory]
    [InlineData("sha256:AB:CD:EF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC")]
    [InlineData("abcdef00112233445566778899aabbccddeeff00112233445566778899aabbcc")]
    [InlineData("SHA256:abcdef00112233445566778899aabbccddeeff00112233445566778899aabbcc")]
    public void Fingerprints_normalize_with_or_without_colons_and_prefix(string text)
    {
        Assert.True(Fingerprint.TryNormalize(text, out var normalized, out _));
        Assert.Equal("ABCDEF00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC", normalized);
    }

    [Fact]
    public void A_short_fingerprint_is_rejected()
    {
        Assert.False(Fingerprint.TryNormalize("sha256:AB:CD", out _, out var error));
        Assert.Contains("64 hex digits", error, StringComparison.Ordinal);
    }
}
