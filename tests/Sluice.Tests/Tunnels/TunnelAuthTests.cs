using System.Security.Cryptography;
using System.Text;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tests.Tunnels;

public sealed class TunnelAuthTests
{
    private static readonly byte[] Nonce = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void The_proof_is_the_documented_HMAC()
    {
        var message = "sluice-tunnel-auth-v1"u8.ToArray().Concat(Nonce).Concat(new byte[] { 6 }).Concat("office"u8.ToArray()).Concat(new byte[] { 0, 1 }).ToArray();
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes("change-me-please"), message);
        Assert.Equal(expected, TunnelAuth.ComputeProof("change-me-please", Nonce, "office", 1));
    }

    [Fact]
    public void The_right_token_verifies()
    {
        var proof = TunnelAuth.ComputeProof("secret-token", Nonce, "office", 1);
        Assert.True(TunnelAuth.Verify("secret-token"u8.ToArray(), Nonce, "office", 1, proof));
    }

    [Fact]
    public void A_wrong_token_another_nonce_name_or_version_fails()
    {
        var proof = TunnelAuth.ComputeProof("secret-token", Nonce, "office", 1);
        var otherNonce = (byte[])Nonce.Clone();
        otherNonce[0] ^= 1;
        Assert.False(TunnelAuth.Verify("secret-tokem"u8.ToArray(), Nonce, "office", 1, proof));
        Assert.False(TunnelAuth.Verify("secret-token"u8.ToArray(), otherNonce, "office", 1, proof));
        Assert.False(TunnelAuth.Verify("secret-token"u8.ToArray(), Nonce, "offica", 1, proof));
        Assert.False(TunnelAuth.Verify("secret-token"u8.ToArray(), Nonce, "office", 2, proof));
    }

    [Fact]
    public void An_unknown_agent_fails_even_with_a_proof_for_an_empty_key()
    {
        var proof = TunnelAuth.ComputeProof(Array.Empty<byte>(), Nonce, "ghost", 1);
        Assert.False(TunnelAuth.Verify(null, Nonce, "ghost", 1, proof));
    }

    [Fact]
    public void Nonces_are_fresh()
    {
        Assert.NotEqual(TunnelAuth.NewNonce(), TunnelAuth.NewNonce());
    }
}
