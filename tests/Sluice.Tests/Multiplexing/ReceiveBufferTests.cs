using Sluice.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>A stream's received bytes: pooled segments read back in order, nothing held once drained.</summary>
public sealed class ReceiveBufferTests
{
    [Fact]
    public void Bytes_come_back_in_order_across_segments_and_uneven_reads()
    {
        var buffer = new ReceiveBuffer();
        var data = StreamData.Pattern(300_000, seed: 21);
        var random = new Random(1);
        for (var offset = 0; offset < data.Length;)
        {
            var n = Math.Min(random.Next(1, 20_000), data.Length - offset);
            buffer.Append(data.AsSpan(offset, n));
            offset += n;
        }

        Assert.Equal(data.Length, buffer.Length);
        var output = new List<byte>();
        var chunk = new byte[70_001];
        while (buffer.Length > 0)
        {
            var read = buffer.Read(chunk.AsSpan(0, random.Next(1, chunk.Length)));
            output.AddRange(chunk.AsSpan(0, read).ToArray());
        }

        Assert.Equal(data, output.ToArray());
        Assert.Equal(0, buffer.Read(chunk));
    }

    [Fact]
    public void Interleaved_appends_and_reads_keep_the_order()
    {
        var buffer = new ReceiveBuffer();
        var data = StreamData.Pattern(200_000, seed: 22);
        var output = new List<byte>();
        var chunk = new byte[9_000];
        var offset = 0;
        var random = new Random(2);
        while (offset < data.Length || buffer.Length > 0)
        {
            if (offset < data.Length && random.Next(2) == 0)
            {
                var n = Math.Min(random.Next(1, 30_000), data.Length - offset);
                buffer.Append(data.AsSpan(offset, n));
                offset += n;
            }
            else
            {
                var read = buffer.Read(chunk);
                output.AddRange(chunk.AsSpan(0, read).ToArray());
            }
        }

        Assert.Equal(data, output.ToArray());
    }

    [Fact]
    public void Clear_drops_everything_and_reports_how_much()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(new byte[100_000]);
        buffer.Read(new byte[1_000]);

        Assert.Equal(99_000, buffer.Clear());
        Assert.Equal(0, buffer.Length);
        buffer.Append("again"u8);
        var again = new byte[5];
        Assert.Equal(5, buffer.Read(again));
        Assert.Equal("again"u8.ToArray(), again);
    }
}
