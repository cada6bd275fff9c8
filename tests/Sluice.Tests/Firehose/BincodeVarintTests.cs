using Sluice.Protocols.Firehose;

namespace Sluice.Tests.Firehose;

public sealed class BincodeVarintTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(250UL, "FA")]
    [InlineData(251UL, "FBFB00")]
    [InlineData(65535UL, "FBFFFF")]
    [InlineData(65536UL, "FC00000100")]
    [InlineData(4294967295UL, "FCFFFFFFFF")]
    [InlineData(4294967296UL, "FD0000000001000000")]
    [InlineData(ulong.MaxValue, "FDFFFFFFFFFFFFFFFF")]
    public void WriteAndRead_EdgeValues(ulong value, string hex)
    {
        var buffer = new byte[BincodeVarint.MaxLength];
        var written = BincodeVarint.Write(buffer, value);
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, written));
        Assert.Equal(written, BincodeVarint.GetLength(value));
        Assert.True(BincodeVarint.TryRead(Convert.FromHexString(hex), out var read, out var consumed));
        Assert.Equal((value, written), (read, consumed));
    }

    [Theory]
    [InlineData("")]
    [InlineData("FB00")]
    [InlineData("FC000000")]
    [InlineData("FD00000000000000")]
    [InlineData("FE00")]
    [InlineData("FF")]
    public void Read_TruncatedOrUnsupportedMarker_Fails(string hex)
    {
        Assert.False(BincodeVarint.TryRead(Convert.FromHexString(hex), out _, out _));
    }
}
