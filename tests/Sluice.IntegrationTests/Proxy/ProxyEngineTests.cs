using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Proxy;

/// <summary>
/// Both proxy engines through the real binary: the epoll engine (the default on Linux, which every
/// in-process proxy test also runs on) and the portable Socket pump kept for other platforms and
/// chosen with SLUICE_PROXY_ENGINE=sockets.
/// </summary>
public sealed class ProxyEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("epoll")]
    [InlineData("sockets")]
    public async Task Engine_CarriesBytesIntactBothWays_AndPassesHalfCloseOn(string engine)
    {
        // The backend reads the whole request until the client's FIN, then answers with its
        // SHA-256 followed by a 3 MiB body of its own, and closes.
        var response = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        await using var backend = new TestBackend(async s =>
        {
            var request = await SocketIo.ReadToEndAsync(s, Timeout);
            await s.SendAsync(SHA256.HashData(request));
            await s.SendAsync(response);
            s.Shutdown(SocketShutdown.Send);
        });
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", $"""
            [[proxy]]
            name = "engine"
            listen = "127.0.0.1:0"
            cluster = "backend"

            [[cluster]]
            name = "backend"
            upstreams = ["{backend.Address}"]
            """);
        await using var sluice = SluiceProcess.Start(dir.Path, fileLimit: null, [("SLUICE_PROXY_ENGINE", engine)], "run", "-c", config);
        var endpoint = await sluice.ListeningAsync("engine", Timeout);
        await sluice.WaitForOutputAsync($"proxy engine {engine}", Timeout);

        var request = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 17);
        using var client = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint);
        var reading = SocketIo.ReadToEndAsync(client, Timeout);
        await client.SendAsync(request);
        client.Shutdown(SocketShutdown.Send);

        var received = await reading;
        Assert.Equal(32 + response.Length, received.Length);
        Assert.Equal(SHA256.HashData(request), received[..32]);
        Assert.True(received.AsSpan(32).SequenceEqual(response), "the response arrived altered");
    }
}
