using System.Diagnostics;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition with a deadline instead of a fixed sleep, so a slow machine only makes a test slower.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < limit, $"not reached within {limit}: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls an async probe until it gives a value (not null).</summary>
    public static async Task<T> UntilValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(watch.Elapsed < limit, $"not reached within {limit}: {what}");
            await Task.Delay(20);
        }
    }
}
