using System.Buffers.Binary;
using Sluice.Tunnels;
using Sluice.Tunnels.Inspection;

namespace Sluice.Tests.Tunnels.Http;

/// <summary>The inspect stream's frames: a u32 length and one exchange as JSON, capped whatever the peer claims.</summary>
public sealed class InspectFramesTests
{
    private static readonly ExchangeRecord Sample = new()
    {
        Tunnel = "web",
        Host = "office.tunnel.test",
        Scheme = "https",
        Method = "POST",
        Path = "/orders?id=7&x=%20",
        RemoteAddress = "203.0.113.7",
        StartedAt = new DateTimeOffset(2026, 12, 7, 7, 6, 9, 123, TimeSpan.Zero),
        DurationMs = 12.5,
        Status = 201,
        Error = "the user went away",
        RequestHeaders = [new("Host", "office.tunnel.test"), new("X-Dup", "a"), new("X-Dup", "b"), new("Authorization", "[redacted]")],
        ResponseHeaders = [new("Content-Type", "application/json; charset=utf-8")],
        RequestBytes = 100_000,
        ResponseBytes = 3,
        RequestBody = [0, 1, 2, 0xFF, 0xFE, (byte)'"', (byte)'\\'],
        RequestBodyTruncated = true,
        ResponseBody = "{}\n"u8.ToArray(),
        ResponseBodyTruncated = false,
        ReplayOf = 41,
    };

    [Fact]
    public async Task A_record_round_trips_through_a_stream()
    {
        var stream = new MemoryStream(InspectFrames.Encode(Sample)!);
        var read = await InspectFrames.ReadAsync(stream, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(Describe(Sample), Describe(read));
        Assert.Equal(Sample.RequestBody, read.RequestBody);
        Assert.Equal(Sample.RequestHeaders, read.RequestHeaders);
        Assert.Null(await InspectFrames.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task Frames_back_to_back_are_read_one_at_a_time_then_null_at_the_end()
    {
        var second = Sample with { Path = "/second", ReplayOf = null, Error = null };
        var stream = new MemoryStream([.. InspectFrames.Encode(Sample)!, .. InspectFrames.Encode(second)!]);

        Assert.Equal("/orders?id=7&x=%20", (await InspectFrames.ReadAsync(stream, CancellationToken.None))!.Path);
        var read = await InspectFrames.ReadAsync(stream, CancellationToken.None);
        Assert.Equal(("/second", null, null), (read!.Path, read.ReplayOf, read.Error));
        Assert.Null(await InspectFrames.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task An_empty_stream_is_the_end_not_an_error() =>
        Assert.Null(await InspectFrames.ReadAsync(new MemoryStream(), CancellationToken.None));

    [Fact]
    public async Task A_stream_ending_inside_the_length_is_a_protocol_error()
    {
        var ex = await Assert.ThrowsAsync<ControlProtocolException>(() => InspectFrames.ReadAsync(new MemoryStream([0, 0]), CancellationToken.None).AsTask());
        Assert.Contains("ended inside a frame header", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((uint)InspectFrames.MaxFrame + 1)]
    [InlineData(uint.MaxValue)]
    public async Task A_length_over_the_cap_is_refused_without_allocating_it(uint length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        var stream = new MemoryStream(header);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = await Assert.ThrowsAsync<ControlProtocolException>(() => InspectFrames.ReadAsync(stream, CancellationToken.None).AsTask());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains($"exceeds the {InspectFrames.MaxFrame}-byte cap", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated to refuse a {length}-byte frame");
    }

    [Theory]
    [InlineData("{nope")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"status\":\"two hundred\"}")]
    [InlineData("{\"request_body\":\"not base64!\"}")]
    public async Task A_frame_of_malformed_json_is_a_protocol_error(string json)
    {
        var ex = await Assert.ThrowsAsync<ControlProtocolException>(() => InspectFrames.ReadAsync(new MemoryStream(Frame(json)), CancellationToken.None).AsTask());
        Assert.Contains("malformed inspect frame", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_of_json_null_is_a_protocol_error()
    {
        var ex = await Assert.ThrowsAsync<ControlProtocolException>(() => InspectFrames.ReadAsync(new MemoryStream(Frame("null")), CancellationToken.None).AsTask());
        Assert.Contains("holds no record", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_ending_inside_the_json_is_an_error_not_a_record()
    {
        var frame = InspectFrames.Encode(Sample)!;
        await Assert.ThrowsAsync<ControlProtocolException>(() => InspectFrames.ReadAsync(new MemoryStream(frame[..^1]), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Encoding_a_record_over_the_cap_drops_the_bodies_and_flags_them_truncated()
    {
        // Two 1 MiB bodies fit (the edge's MaxCapture); two 2 MiB bodies, base64, do not.
        var huge = Sample with
        {
            RequestBody = new byte[2 * 1024 * 1024],
            RequestBodyTruncated = false,
            RequestBytes = 2 * 1024 * 1024,
            ResponseBody = new byte[2 * 1024 * 1024],
            ResponseBytes = 2 * 1024 * 1024,
        };
        var frame = InspectFrames.Encode(huge)!;
        Assert.True(frame.Length <= 4 + InspectFrames.MaxFrame);

        var read = (await InspectFrames.ReadAsync(new MemoryStream(frame), CancellationToken.None))!;
        Assert.Empty(read.RequestBody);
        Assert.Empty(read.ResponseBody);
        Assert.True(read.RequestBodyTruncated);
        Assert.True(read.ResponseBodyTruncated);
        Assert.Equal((2L * 1024 * 1024, 2L * 1024 * 1024), (read.RequestBytes, read.ResponseBytes));
        Assert.Equal(Sample.RequestHeaders, read.RequestHeaders);
    }

    [Fact]
    public async Task Two_bodies_at_the_capture_cap_fit_in_one_frame_whole()
    {
        var full = Sample with
        {
            RequestBody = new byte[InspectFrames.MaxCapture],
            RequestBodyTruncated = true,
            ResponseBody = new byte[InspectFrames.MaxCapture],
            ResponseBodyTruncated = true,
        };
        var read = (await InspectFrames.ReadAsync(new MemoryStream(InspectFrames.Encode(full)!), CancellationToken.None))!;
        Assert.Equal(InspectFrames.MaxCapture, read.RequestBody.Length);
        Assert.Equal(InspectFrames.MaxCapture, read.ResponseBody.Length);
    }

    [Fact]
    public void A_record_over_the_cap_even_without_bodies_is_not_encoded()
    {
        var headers = Enumerable.Range(0, 5000).Select(i => new HeaderField($"X-H{i}", new string('v', 1000))).ToArray();
        Assert.Null(InspectFrames.Encode(Sample with { RequestHeaders = headers }));
    }

    private static byte[] Frame(string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var frame = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)bytes.Length);
        bytes.CopyTo(frame, 4);
        return frame;
    }

    // Records holding arrays and lists compare by reference; compare their contents instead.
    private static string Describe(ExchangeRecord r) =>
        $"{r with { RequestHeaders = [], ResponseHeaders = [], RequestBody = [], ResponseBody = [] }} "
        + $"{string.Join(";", r.RequestHeaders)} {string.Join(";", r.ResponseHeaders)} {Convert.ToHexString(r.RequestBody)} {Convert.ToHexString(r.ResponseBody)}";
}
