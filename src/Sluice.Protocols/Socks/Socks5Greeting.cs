namespace Sluice.Protocols.Socks;

/// <summary>The client's first message: the authentication methods it offers.</summary>
internal readonly record struct Socks5Greeting(IReadOnlyList<Socks5Method> Methods)
{
    public bool Offers(Socks5Method method) => Methods.Contains(method);
}
