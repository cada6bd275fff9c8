namespace Sluice.Tunnels.Inspection;

/// <summary>
/// One HTTP exchange through an HTTP tunnel, as the server's edge saw it: what the inspector
/// lists and shows, and what a replay re-sends. The edge fills it in and ships it to the agent on
/// the session's inspect stream (docs/protocols/tunnel.md, "Inspect stream"); the agent's store
/// gives it its <see cref="Id"/>. Bodies hold at most the agent's <c>inspect_body_bytes</c>: the
/// rest was streamed, not kept, and the <c>*Truncated</c> flag says so.
/// </summary>
public sealed record ExchangeRecord
{
    /// <summary>Assigned by the agent's store, increasing; zero on the wire.</summary>
    public long Id { get; init; }

    /// <summary>The [[expose]] name that served it.</summary>
    public string Tunnel { get; init; } = string.Empty;

    /// <summary>The public host the request named (no port).</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary>"http" or "https", as the user reached the edge.</summary>
    public string Scheme { get; init; } = "http";

    public string Method { get; init; } = string.Empty;

    /// <summary>Path and query, as received.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>The user's address as the edge saw it.</summary>
    public string RemoteAddress { get; init; } = string.Empty;

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>From the request's arrival at the edge to the end of the response body.</summary>
    public double DurationMs { get; init; }

    /// <summary>The status the user got; 0 when no response started.</summary>
    public int Status { get; init; }

    /// <summary>Why the exchange failed (timeout, agent gone, reset), or null.</summary>
    public string? Error { get; init; }

    /// <summary>The request's headers as received (edge credentials redacted).</summary>
    public IReadOnlyList<HeaderField> RequestHeaders { get; init; } = [];

    public IReadOnlyList<HeaderField> ResponseHeaders { get; init; } = [];

    /// <summary>Body bytes in each direction, counted in full (not only what was captured).</summary>
    public long RequestBytes { get; init; }

    public long ResponseBytes { get; init; }

    public byte[] RequestBody { get; init; } = [];

    public bool RequestBodyTruncated { get; init; }

    public byte[] ResponseBody { get; init; } = [];

    public bool ResponseBodyTruncated { get; init; }

    /// <summary>Set on the record a replay made: the id of the record it re-sent.</summary>
    public long? ReplayOf { get; init; }
}

/// <summary>One header line; a header sent several times is several fields.</summary>
public readonly record struct HeaderField(string Name, string Value);
