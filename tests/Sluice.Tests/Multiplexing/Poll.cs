namespace Sluice.Tests.Multiplexing;

internal static class Poll
{
    /// <summary>Waits until <paramref name="condition"/> holds; fails after the test timeout.</summary>
    public static async Task UntilAsync(Func<bool> condition, string? what = null)
    {
        var deadline = DateTime.UtcNow + TestTimeout.Value;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + (what ?? "a condition"));
            await Task.Delay(10);
        }
    }
}
