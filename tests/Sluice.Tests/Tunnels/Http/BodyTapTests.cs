using Sluice.Tunnels.Http;

namespace Sluice.Tests.Tunnels.Http;

/// <summary>The edge's body tap: every byte counted and passed on, only the first N kept for the inspector.</summary>
public sealed class BodyTapTests
{
    private static byte[] Body(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 7) + (i >> 8)))];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Reading_in_small_pieces_passes_every_byte_and_keeps_exactly_the_first_n(int piece)
    {
        var body = Body(10_000);
        var tap = new BodyTap(new MemoryStream(body), capture: 3000);
        var passed = new MemoryStream();
        var buffer = new byte[piece];
        int read;
        var sync = false;
        do
        {
            // Alternate the sync and async paths: both must observe.
            read = (sync = !sync) ? tap.Read(buffer, 0, piece) : await tap.ReadAsync(buffer.AsMemory(), CancellationToken.None);
            passed.Write(buffer, 0, read);
        }
        while (read > 0);

        Assert.Equal(body, passed.ToArray());
        Assert.Equal(10_000, tap.Count);
        Assert.Equal(body[..3000], tap.Captured);
        Assert.True(tap.Truncated);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1500)]
    public async Task Writing_in_small_pieces_passes_every_byte_and_keeps_exactly_the_first_n(int piece)
    {
        // 5000 captured bytes cross the tap's first 2048-byte buffer and its doubling.
        var body = Body(12_345);
        var inner = new MemoryStream();
        var tap = new BodyTap(inner, capture: 5000);
        var sync = false;
        for (var offset = 0; offset < body.Length; offset += piece)
        {
            var n = Math.Min(piece, body.Length - offset);
            if (sync = !sync)
            {
                tap.Write(body, offset, n);
            }
            else
            {
                await tap.WriteAsync(body.AsMemory(offset, n), CancellationToken.None);
            }
        }

        Assert.Equal(body, inner.ToArray());
        Assert.Equal(12_345, tap.Count);
        Assert.Equal(body[..5000], tap.Captured);
        Assert.True(tap.Truncated);
    }

    [Theory]
    [InlineData(4999)]
    [InlineData(5000)]
    public async Task A_body_no_longer_than_n_is_kept_whole_and_not_truncated(int length)
    {
        var body = Body(length);
        var tap = new BodyTap(new MemoryStream(), capture: 5000);
        await tap.WriteAsync(body.AsMemory(0, 10), CancellationToken.None);
        await tap.WriteAsync(body.AsMemory(10), CancellationToken.None);

        Assert.Equal(length, tap.Count);
        Assert.Equal(body, tap.Captured);
        Assert.False(tap.Truncated);
    }

    [Fact]
    public async Task Capturing_zero_bytes_keeps_nothing_but_still_counts()
    {
        var body = Body(70_000);
        var tap = new BodyTap(new MemoryStream(body), capture: 0);
        await tap.CopyToAsync(Stream.Null);

        Assert.Equal(70_000, tap.Count);
        Assert.Empty(tap.Captured);
        Assert.True(tap.Truncated);
    }

    [Fact]
    public void An_empty_body_is_neither_captured_nor_truncated()
    {
        var tap = new BodyTap(new MemoryStream(), capture: 1024);
        Assert.Equal(0, tap.Read(new byte[16], 0, 16));

        Assert.Equal(0, tap.Count);
        Assert.Empty(tap.Captured);
        Assert.False(tap.Truncated);
    }

    [Fact]
    public void Captured_is_a_copy_the_tap_does_not_write_into_later()
    {
        var tap = new BodyTap(new MemoryStream(), capture: 100);
        tap.Write([1, 2, 3]);
        var first = tap.Captured;
        tap.Write([4, 5]);

        Assert.Equal(new byte[] { 1, 2, 3 }, first);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, tap.Captured);
    }
}
