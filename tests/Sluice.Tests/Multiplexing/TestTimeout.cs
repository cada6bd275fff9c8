namespace Sluice.Tests.Multiplexing;

/// <summary>A generous bound so a broken test fails instead of hanging (never a speed assertion).</summary>
internal static class TestTimeout
{
    public static readonly TimeSpan Value = TimeSpan.FromSeconds(30);

    public static CancellationToken Token => new CancellationTokenSource(Value).Token;
}
