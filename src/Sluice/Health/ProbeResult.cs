namespace Sluice.Health;

/// <summary>The outcome of one active check: passed, or failed with a short reason for logs and the admin API.</summary>
internal readonly record struct ProbeResult(bool Passed, string? Error)
{
    public static ProbeResult Pass => new(true, null);

    public static ProbeResult Fail(string reason) => new(false, reason);
}
