namespace Sluice.Configuration;

/// <summary>One [[expose]]: public port <see cref="RemotePort"/> on the server → <see cref="Local"/> beside the agent.</summary>
public sealed record ExposeConfig
{
    public required string Name { get; init; }

    public required int RemotePort { get; init; }

    public required HostPort Local { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
