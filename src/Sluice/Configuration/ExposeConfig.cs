namespace Sluice.Configuration;

/// <summary>
/// One [[expose]]: public port <see cref="RemotePort"/> on the server, or public HTTP host
/// <see cref="HttpHost"/> on the server's HTTP edge, → <see cref="Local"/> beside the agent.
/// </summary>
public sealed record ExposeConfig
{
    public required string Name { get; init; }

    /// <summary>The public TCP port; 0 for an HTTP tunnel.</summary>
    public required int RemotePort { get; init; }

    /// <summary>An HTTP tunnel's host: a bare label is a subdomain of the server's domain, a name with a dot a full host; null for a TCP tunnel.</summary>
    public string? HttpHost { get; init; }

    /// <summary>"user:password" the edge requires (HTTP basic auth), or null.</summary>
    public string? BasicAuth { get; init; }

    /// <summary>A header the edge requires, as (name, value), or null.</summary>
    public (string Name, string Value)? AuthHeader { get; init; }

    /// <summary>The Host header the local service receives; null keeps the public host.</summary>
    public string? HostHeader { get; init; }

    public bool IsHttp => HttpHost is not null;

    public required HostPort Local { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
