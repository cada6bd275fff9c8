namespace Sluice.Protocols.Socks;

/// <summary>ATYP (RFC 1928 §5).</summary>
internal enum Socks5AddressType : byte
{
    IPv4 = 0x01,
    DomainName = 0x03,
    IPv6 = 0x04,
}
