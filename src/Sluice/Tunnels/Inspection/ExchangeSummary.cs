namespace Sluice.Tunnels.Inspection;

/// <summary>One row of the inspector's list: an exchange without its headers and bodies.</summary>
internal sealed record ExchangeSummary(
    long Id,
    string Tunnel,
    DateTimeOffset StartedAt,
    string Method,
    string Scheme,
    string Host,
    string Path,
    int Status,
    double DurationMs,
    long RequestBytes,
    long ResponseBytes,
    string? Error,
    long? ReplayOf)
{
    public static ExchangeSummary From(ExchangeRecord record) => new(
        record.Id,
        record.Tunnel,
        record.StartedAt,
        record.Method,
        record.Scheme,
        record.Host,
        record.Path,
        record.Status,
        record.DurationMs,
        record.RequestBytes,
        record.ResponseBytes,
        record.Error,
        record.ReplayOf);
}
