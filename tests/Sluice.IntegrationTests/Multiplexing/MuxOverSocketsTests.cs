using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Multiplexing;

namespace Sluice.IntegrationTests.Multiplexing;

/// <summary>The multiplexer over real loopback sockets (NetworkStream), both sides Sluice.</summary>
public sealed class MuxOverSocketsTests
{
    [Fact]
    public async Task Eight_streams_echo_checksummed_payloads_over_a_socket()
    {
        var (a, b) = await LoopbackSocketPair.CreateAsync();
        await using var client = MuxSession.Start(a, isClient: true, new MuxOptions(), NullLogger.Instance);
        await using var server = MuxSession.Start(b, isClient: false, new MuxOptions(), NullLogger.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var echo = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            while (await server.AcceptStreamAsync(timeout.Token) is { } stream)
            {
                echoes.Add(Task.Run(async () =>
                {
                    await using var s = stream;
                    await s.CopyToAsync(s, timeout.Token);
                    await s.CompleteWritesAsync();
                }));
            }

            await Task.WhenAll(echoes);
        });

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var data = new byte[8 * 1024 * 1024];
            new Random(i).NextBytes(data);
            await using var stream = await client.OpenStreamAsync(timeout.Token);
            var send = Task.Run(async () =>
            {
                await stream.WriteAsync(data, timeout.Token);
                await stream.CompleteWritesAsync();
            });
            using var received = new MemoryStream();
            await stream.CopyToAsync(received, timeout.Token);
            await send;
            return SHA256.HashData(data).SequenceEqual(SHA256.HashData(received.ToArray())) && received.Length == data.Length;
        })));

        Assert.All(results, Assert.True);
        await client.DisposeAsync();
        await echo.WaitAsync(timeout.Token);
    }
}
