using System.Net;

namespace Sluice.IntegrationTests.HttpTunnels;

/// <summary>A request body of <see cref="Pattern"/> bytes generated as it is sent: any size, never held in memory.</summary>
internal sealed class PatternContent(long length) : HttpContent
{
    private const int ChunkSize = 64 * 1024;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        for (long offset = 0; offset < length; offset += ChunkSize)
        {
            var n = (int)Math.Min(ChunkSize, length - offset);
            Pattern.Fill(buffer.AsSpan(0, n), offset);
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length1)
    {
        length1 = length;
        return true;
    }
}
