using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// The inspect stream's framing (docs/protocols/tunnel.md, "Inspect stream"): a u32 big-endian
/// length, then one <see cref="ExchangeRecord"/> as UTF-8 JSON. A frame over <see cref="MaxFrame"/>
/// is a protocol error: the reader never buffers more, whatever the peer claims.
/// </summary>
internal static class InspectFrames
{
    /// <summary>The most of each body the edge keeps for the inspector, whatever an agent asks.</summary>
    public const int MaxCapture = 1024 * 1024;

    /// <summary>Two bodies at <see cref="MaxCapture"/>, base64, plus headers.</summary>
    public const int MaxFrame = 4 * 1024 * 1024;

    /// <summary>The frame of <paramref name="record"/>; past the cap its bodies are left out (flagged truncated), and a record too big even then gives null.</summary>
    public static byte[]? Encode(ExchangeRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, InspectWireJsonContext.Default.ExchangeRecord);
        if (json.Length > MaxFrame)
        {
            record = record with { RequestBody = [], ResponseBody = [], RequestBodyTruncated = record.RequestBytes > 0, ResponseBodyTruncated = record.ResponseBytes > 0 };
            json = JsonSerializer.SerializeToUtf8Bytes(record, InspectWireJsonContext.Default.ExchangeRecord);
            if (json.Length > MaxFrame)
            {
                return null;
            }
        }

        var frame = new byte[4 + json.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)json.Length);
        json.CopyTo(frame.AsSpan(4));
        return frame;
    }

    /// <summary>The next record, or null at the end of the stream.</summary>
    public static async ValueTask<ExchangeRecord?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        var got = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken);
        if (got == 0)
        {
            return null;
        }

        if (got < 4)
        {
            throw new ControlProtocolException("inspect stream ended inside a frame header");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > MaxFrame)
        {
            throw new ControlProtocolException($"inspect frame of {length} bytes exceeds the {MaxFrame}-byte cap");
        }

        var json = new byte[length];
        try
        {
            await stream.ReadExactlyAsync(json, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new ControlProtocolException("inspect stream ended inside a frame");
        }

        try
        {
            return JsonSerializer.Deserialize(json, InspectWireJsonContext.Default.ExchangeRecord)
                ?? throw new ControlProtocolException("inspect frame holds no record");
        }
        catch (JsonException ex)
        {
            throw new ControlProtocolException($"malformed inspect frame: {ex.Message}");
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ExchangeRecord))]
internal sealed partial class InspectWireJsonContext : JsonSerializerContext;
