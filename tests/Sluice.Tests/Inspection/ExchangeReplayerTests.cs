using Sluice.Configuration;
using Sluice.Tunnels.Inspection;

namespace Sluice.Tests.Inspection;

public sealed class ExchangeReplayerTests
{
    [Fact]
    public async Task SendAsync_RequestThatCannotBeRebuilt_IsAFailedReplayRecordNotAnException()
    {
        using var replayer = new ExchangeReplayer(bodyBytes: 1024);
        var original = new ExchangeRecord { Id = 3, Tunnel = "web", Host = "app.example", Method = "NOT A METHOD", Path = "/" };

        var replay = await replayer.SendAsync(original, new ReplayTarget(new HostPort("127.0.0.1", 9), null), "127.0.0.1", CancellationToken.None);

        Assert.Equal(3, replay.ReplayOf);
        Assert.Equal(0, replay.Status);
        Assert.StartsWith("replay to 127.0.0.1:9 failed: the captured request cannot be sent again", replay.Error, StringComparison.Ordinal);
    }
}
