using Sluice.Tunnels.Inspection;

namespace Sluice.Tests.Inspection;

public sealed class BodyCaptureTests
{
    [Fact]
    public async Task ReadToEndAsync_KeepsTheLimit_CountsEverything()
    {
        var body = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        var capture = new BodyCapture(limit: 1000);

        await capture.ReadToEndAsync(new MemoryStream(body), CancellationToken.None);

        Assert.Equal(100_000, capture.Total);
        Assert.True(capture.Truncated);
        Assert.Equal(body[..1000], capture.ToArray());
    }

    [Fact]
    public void Append_WithinTheLimit_IsNotTruncated()
    {
        var capture = new BodyCapture(limit: 10);
        capture.Append("hello"u8);
        capture.Append("world"u8);

        Assert.False(capture.Truncated);
        Assert.Equal("helloworld"u8.ToArray(), capture.ToArray());
    }

    [Fact]
    public void Append_ZeroLimit_KeepsNothing()
    {
        var capture = new BodyCapture(limit: 0);
        capture.Append("x"u8);

        Assert.Empty(capture.ToArray());
        Assert.True(capture.Truncated);
        Assert.Equal(1, capture.Total);
    }
}
