using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Proxy;

public sealed class BackpressureAndResetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ClientThatStopsReading_StallsTheUpstream_InsteadOfSluiceBufferingIt()
    {
        const int total = 64 * 1024 * 1024;
        var chunk = RandomNumberGenerator.GetBytes(256 * 1024);
        long sent = 0;
        await using var backend = new TestBackend(async s =>
        {
            while (Interlocked.Read(ref sent) < total)
            {
                await s.SendAsync(chunk);
                Interlocked.Add(ref sent, chunk.Length);
            }

            s.Shutdown(SocketShutdown.Send);
        });
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));
        using var client = await gateway.ConnectAsync("p");
        client.ReceiveBufferSize = 64 * 1024;

        // The client reads nothing: after the kernel's socket buffers fill, the upstream's
        // sends must stop, because the pump stops reading when it cannot write.
        long before;
        var settled = 0;
        do
        {
            before = Interlocked.Read(ref sent);
            await Task.Delay(300);
            settled = Interlocked.Read(ref sent) == before ? settled + 1 : 0;
        }
        while (settled < 3 && before < total);

        Assert.True(before < 24 * 1024 * 1024, $"the upstream got {before} bytes out while the client read none: something buffers");

        // Reading now brings every byte, in order.
        var received = await SocketIo.ReadToEndAsync(client, Timeout);
        Assert.Equal(total, received.Length);
        for (var offset = 0; offset < total; offset += chunk.Length)
        {
            Assert.True(received.AsSpan(offset, chunk.Length).SequenceEqual(chunk), $"bytes differ in the chunk at {offset}");
        }
    }

    [Fact]
    public async Task ClientReset_IsPassedOnToTheUpstreamAsAReset()
    {
        var upstreamSaw = new TaskCompletionSource<SocketError>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new TestBackend(async s =>
        {
            var buffer = new byte[1024];
            try
            {
                while (await s.ReceiveAsync(buffer) > 0)
                {
                }

                upstreamSaw.TrySetResult(SocketError.Success);
            }
            catch (SocketException ex)
            {
                upstreamSaw.TrySetResult(ex.SocketErrorCode);
            }
        });
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));
        var client = await gateway.ConnectAsync("p");
        await client.SendAsync("hello"u8.ToArray());
        await Poll.UntilAsync(() => backend.Accepted == 1, "the upstream connection", Timeout);
        await Task.Delay(100);

        client.LingerState = new LingerOption(true, 0);
        client.Dispose();

        // A reset, not a FIN: the upstream must not mistake an aborted request for a complete one.
        Assert.Equal(SocketError.ConnectionReset, await upstreamSaw.Task.WaitAsync(Timeout));
    }
}
