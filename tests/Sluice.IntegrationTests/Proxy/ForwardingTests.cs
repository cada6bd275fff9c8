using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Proxy;

public sealed class ForwardingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LargeRandomPayload_RoundTripsThroughEcho_Intact()
    {
        await using var backend = TestBackend.Echo();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));
        using var client = await gateway.ConnectAsync("p");

        var payload = RandomNumberGenerator.GetBytes(24 * 1024 * 1024);
        var reading = SocketIo.ReadToEndAsync(client, Timeout);
        for (var offset = 0; offset < payload.Length; offset += 100_000)
        {
            await client.SendAsync(payload.AsMemory(offset, Math.Min(100_000, payload.Length - offset)));
        }

        client.Shutdown(SocketShutdown.Send);
        var echoed = await reading;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
    }

    [Fact]
    public async Task ClientHalfClose_UpstreamKeepsSending_AllBytesArrive()
    {
        var response = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new TestBackend(async s =>
        {
            // Reads the whole request (until the client's FIN), then answers at length.
            received.SetResult(await SocketIo.ReadToEndAsync(s, Timeout));
            await s.SendAsync(response);
            s.Shutdown(SocketShutdown.Send);
        });
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));
        using var client = await gateway.ConnectAsync("p");

        var request = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        await client.SendAsync(request);
        client.Shutdown(SocketShutdown.Send);

        var answer = await SocketIo.ReadToEndAsync(client, Timeout);
        Assert.Equal(SHA256.HashData(request), SHA256.HashData(await received.Task));
        Assert.Equal(SHA256.HashData(response), SHA256.HashData(answer));
    }

    [Fact]
    public async Task UpstreamHalfClose_ClientKeepsSending_UpstreamReceivesIt()
    {
        var greeting = "hello, then FIN"u8.ToArray();
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new TestBackend(async s =>
        {
            await s.SendAsync(greeting);
            s.Shutdown(SocketShutdown.Send);
            received.SetResult(await SocketIo.ReadToEndAsync(s, Timeout));
        });
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));
        using var client = await gateway.ConnectAsync("p");

        Assert.Equal(greeting, await SocketIo.ReadToEndAsync(client, Timeout));

        // The upstream's FIN reached us; our direction must still be open.
        var late = RandomNumberGenerator.GetBytes(1024 * 1024);
        await client.SendAsync(late);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(SHA256.HashData(late), SHA256.HashData(await received.Task.WaitAsync(Timeout)));
    }

    [Fact]
    public async Task ManyConcurrentConnections_EachGetsItsOwnBytesBack()
    {
        await using var backend = TestBackend.Echo();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Proxy([backend.Address]));

        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            using var client = await gateway.ConnectAsync("p");
            var payload = RandomNumberGenerator.GetBytes(64 * 1024 + i);
            var reading = SocketIo.ReadToEndAsync(client, Timeout);
            await client.SendAsync(payload);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(payload, await reading);
        });

        await Task.WhenAll(tasks);
        Assert.Equal(0, gateway.Gateway.ActiveConnections);
    }
}
