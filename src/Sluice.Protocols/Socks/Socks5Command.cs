namespace Sluice.Protocols.Socks;

/// <summary>Request commands (RFC 1928 §4); only CONNECT is served.</summary>
internal enum Socks5Command : byte
{
    Connect = 0x01,
    Bind = 0x02,
    UdpAssociate = 0x03,
}
