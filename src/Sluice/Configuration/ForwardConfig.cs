namespace Sluice.Configuration;

/// <summary>One [[forward]]: a local listener whose connections go out through the server.</summary>
public sealed record ForwardConfig
{
    public required HostPort Listen { get; init; }

    /// <summary>SOCKS5 (CONNECT): the client names the destination.</summary>
    public bool Socks5 { get; init; }

    /// <summary>Fixed destination when not SOCKS5.</summary>
    public HostPort? Target { get; init; }

    /// <summary>SOCKS5 username/password (RFC 1929), both or neither.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>How the listener is named in logs: "socks5 127.0.0.1:1080" or "127.0.0.1:15432 → db:5432".</summary>
    public string Describe() => Socks5 ? $"socks5 {Listen}" : $"{Listen} -> {Target}";
}
