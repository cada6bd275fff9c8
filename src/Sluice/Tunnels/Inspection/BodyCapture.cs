using System.Buffers;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// Reads a body to its end, keeping at most <c>limit</c> bytes and counting all of them: the same
/// rule as the edge's capture (a body is streamed, only its head is kept).
/// </summary>
internal sealed class BodyCapture(int limit)
{
    private readonly ArrayBufferWriter<byte> _kept = new(Math.Min(Math.Max(limit, 1), 16 * 1024));

    public long Total { get; private set; }

    public bool Truncated => Total > _kept.WrittenCount;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Total += bytes.Length;
        var room = limit - _kept.WrittenCount;
        if (room > 0)
        {
            _kept.Write(bytes[..Math.Min(room, bytes.Length)]);
        }
    }

    public async Task ReadToEndAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public byte[] ToArray() => _kept.WrittenSpan.ToArray();
}
