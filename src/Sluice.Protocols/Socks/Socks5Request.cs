using System.Net;

namespace Sluice.Protocols.Socks;

/// <summary>A request (RFC 1928 §4). <see cref="Host"/> is an IP literal for ATYP 1/4, the name for ATYP 3.</summary>
internal readonly record struct Socks5Request(Socks5Command Command, Socks5AddressType AddressType, string Host, ushort Port)
{
    public IPAddress? Ip => AddressType == Socks5AddressType.DomainName ? null : IPAddress.Parse(Host);
}
