using System.Security.Cryptography;

namespace Sluice.Tests.Multiplexing;

/// <summary>Deterministic payloads and helpers to move them through a stream and compare.</summary>
internal static class StreamData
{
    public static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static async Task WriteInChunksAsync(Stream stream, byte[] data, int chunk, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)), cancellationToken);
        }
    }

    /// <summary>Reads until EOF; returns everything read.</summary>
    public static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            memory.Write(buffer, 0, read);
        }

        return memory.ToArray();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var data = new byte[count];
        await stream.ReadExactlyAsync(data, cancellationToken);
        return data;
    }

    public static string Hash(ReadOnlySpan<byte> data) => Convert.ToHexString(SHA256.HashData(data));
}
