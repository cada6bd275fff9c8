using Sluice.Tunnels.Inspection;

namespace Sluice.Tests.Inspection;

public sealed class ReplayHeadersTests
{
    [Fact]
    public void Select_DropsHopByHopHostAndContentLength_KeepsTheRestInOrder()
    {
        HeaderField[] captured =
        [
            new("Host", "app.example.com"),
            new("Connection", "keep-alive, X-Hop"),
            new("Keep-Alive", "timeout=5"),
            new("Transfer-Encoding", "chunked"),
            new("TE", "trailers"),
            new("Upgrade", "h2c"),
            new("Proxy-Authorization", "Basic abc"),
            new("Proxy-Connection", "keep-alive"),
            new("Content-Length", "12"),
            new("X-Hop", "named by Connection"),
            new("Accept", "application/json"),
            new("X-Trace", "1"),
            new("X-Trace", "2"),
            new("Content-Type", "text/plain"),
        ];

        var kept = ReplayHeaders.Select(captured);

        Assert.Equal(
            [new("Accept", "application/json"), new("X-Trace", "1"), new("X-Trace", "2"), new HeaderField("Content-Type", "text/plain")],
            kept);
    }

    [Fact]
    public void HadBody_IsTrueForAnyFramingHeaderEvenAnEmptyBody()
    {
        Assert.True(ReplayHeaders.HadBody([new("content-length", "0")]));
        Assert.True(ReplayHeaders.HadBody([new("Transfer-Encoding", "chunked")]));
        Assert.False(ReplayHeaders.HadBody([new("Accept", "*/*")]));
    }
}
