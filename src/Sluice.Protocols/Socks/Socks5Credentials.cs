namespace Sluice.Protocols.Socks;

/// <summary>RFC 1929 username/password sub-negotiation request.</summary>
internal readonly record struct Socks5Credentials(string Username, string Password);
