namespace Sluice.Protocols.Socks;

/// <summary>Authentication methods (RFC 1928 §3).</summary>
internal enum Socks5Method : byte
{
    NoAuthentication = 0x00,

    /// <summary>RFC 1929.</summary>
    UsernamePassword = 0x02,
    NoAcceptable = 0xFF,
}
