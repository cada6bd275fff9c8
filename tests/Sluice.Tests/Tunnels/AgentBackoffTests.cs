using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Configuration;
using Sluice.Tunnels;

namespace Sluice.Tests.Tunnels;

public sealed class AgentBackoffTests
{
    [Fact]
    public async Task Reconnect_delays_grow_exponentially_with_full_jitter_and_stay_within_the_cap()
    {
        var config = new AgentConfig
        {
            Server = "127.0.0.1:7000",
            Name = "office",
            Token = "change-me-please",
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(5),
            Exposes = [],
        };
        await using var agent = new TunnelAgent(config, NullLoggerFactory.Instance);

        for (var attempt = 1; attempt <= 30; attempt++)
        {
            var ceiling = Math.Min(5000, 100 * Math.Pow(2, attempt));
            var delays = Enumerable.Range(0, 200).Select(_ => agent.Backoff(attempt).TotalMilliseconds).ToArray();
            Assert.All(delays, d => Assert.InRange(d, 50, ceiling));

            // Jitter: 200 draws are not all the same, so agents cut off together spread out.
            Assert.True(delays.Distinct().Count() > 100);
        }

        Assert.True(Enumerable.Range(0, 200).Average(_ => agent.Backoff(10).TotalMilliseconds) > 1500);
    }
}
