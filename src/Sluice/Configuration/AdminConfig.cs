namespace Sluice.Configuration;

public sealed record AdminConfig
{
    public required HostPort Listen { get; init; }
}
