using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

/// <summary>The real binary under real signals: drain on SIGTERM, reload on SIGHUP and file change.</summary>
public sealed class LifecycleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string ProxyToml(string route, string upstream, string extra = "", string server = "") => $"""
        [server]
        shutdown_timeout = "10s"
        {server}

        [[proxy]]
        name = "{route}"
        listen = "127.0.0.1:0"
        cluster = "{route}-cluster"
        {extra}

        [[cluster]]
        name = "{route}-cluster"
        upstreams = ["{upstream}"]
        """;

    [Fact]
    public async Task Sigterm_InFlightTransferCompletes_NewConnectionsRefused_ExitCodeZero()
    {
        // The backend answers every request with 4 MiB trickled over ~1.5 s, so the transfer is
        // still running when SIGTERM arrives.
        var body = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        await using var backend = new TestBackend(async s =>
        {
            await SocketIo.ReadExactlyAsync(s, 1, Timeout);
            for (var offset = 0; offset < body.Length; offset += 256 * 1024)
            {
                await s.SendAsync(body.AsMemory(offset, 256 * 1024));
                await Task.Delay(100);
            }

            s.Shutdown(SocketShutdown.Send);
        });
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", ProxyToml("web", backend.Address) + "\n[admin]\nlisten = \"127.0.0.1:0\"\n");
        await using var sluice = SluiceProcess.Start(dir.Path, "run", "-c", config);
        var endpoint = await sluice.ListeningAsync("web", Timeout);
        var admin = (await sluice.WaitForOutputAsync("Admin endpoint listening on (http://\\S+)", Timeout)).Groups[1].Value;
        using var http = new HttpClient { BaseAddress = new Uri(admin) };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint);
        await client.SendAsync(new byte[] { 1 });
        var reading = SocketIo.ReadToEndAsync(client, Timeout);
        await Task.Delay(300);

        sluice.Signal(SluiceProcess.SigTerm);
        await sluice.WaitForOutputAsync("draining", Timeout);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz")).StatusCode);

        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(endpoint));

        var received = await reading;
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(received));
        Assert.Equal(0, await sluice.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Sigterm_ConnectionsStillOpenAtTheDeadline_AreClosed_AndSluiceExits()
    {
        await using var backend = TestBackend.Echo();
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", ProxyToml("hold", backend.Address).Replace("\"10s\"", "\"1s\"", StringComparison.Ordinal));
        await using var sluice = SluiceProcess.Start(dir.Path, "run", "-c", config);
        var endpoint = await sluice.ListeningAsync("hold", Timeout);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint);
        await client.SendAsync("x"u8.ToArray());
        await SocketIo.ReadExactlyAsync(client, 1, Timeout);

        var watch = Stopwatch.StartNew();
        sluice.Signal(SluiceProcess.SigTerm);
        Assert.True(await SocketIo.ClosedWithinAsync(client, Timeout), "held connection was never closed");
        Assert.Equal(0, await sluice.WaitForExitAsync(Timeout));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"exited after {watch.Elapsed}, before shutdown_timeout");
        Assert.Contains("drain deadline reached", sluice.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_NewRouteStartsServing_WhileAnOpenConnectionContinues()
    {
        await using var backendA = TestBackend.Echo();
        await using var backendB = TestBackend.Echo();
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", ProxyToml("a", backendA.Address));
        await using var sluice = SluiceProcess.Start(dir.Path, "run", "-c", config);
        var a = await sluice.ListeningAsync("a", Timeout);

        using var open = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await open.ConnectAsync(a);
        await RoundTrip(open, "before");

        File.WriteAllText(config, ProxyToml("a", backendA.Address) + "\n" + ProxyToml("b", backendB.Address).Replace("[server]\nshutdown_timeout = \"10s\"\n", "", StringComparison.Ordinal));
        // SIGHUP's handler is installed just after the listeners start; before it, SIGHUP kills.
        await sluice.WaitForOutputAsync("SIGHUP also reloads", Timeout);
        sluice.Signal(SluiceProcess.SigHup);
        var b = await sluice.ListeningAsync("b", Timeout);

        using var viaB = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await viaB.ConnectAsync(b);
        await RoundTrip(viaB, "through the new route");
        await RoundTrip(open, "after the reload");
        Assert.Equal(1, backendA.Accepted);
        Assert.Equal(1, backendB.Accepted);
    }

    [Fact]
    public async Task InvalidConfigOnReload_IsRefusedWithItsErrors_AndTheOldConfigKeepsServing()
    {
        await using var backend = TestBackend.Echo();
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", ProxyToml("a", backend.Address));
        await using var sluice = SluiceProcess.Start(dir.Path, "run", "-c", config);
        var a = await sluice.ListeningAsync("a", Timeout);
        await sluice.WaitForOutputAsync("watching", Timeout);

        // Saving the file is enough: the watcher picks it up without a signal.
        File.WriteAllText(config, ProxyToml("a", backend.Address).Replace("cluster = \"a-cluster\"", "cluster = \"nope\"", StringComparison.Ordinal));
        await sluice.WaitForOutputAsync("reload refused", Timeout);
        Assert.Contains("nope", sluice.Output, StringComparison.Ordinal);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(a);
        await RoundTrip(client, "still serving");
    }

    [Fact]
    public async Task SecondInstanceOnTheSamePort_ExitsOne_NamingTheAddress_InsteadOfSharingThePort()
    {
        // With SO_REUSEPORT (what .NET's ReuseAddress option sets on Linux) a second sluice
        // would bind the same port without error and the kernel would split the connections.
        using var dir = new TempDirectory();
        var first = dir.File("first.toml", """
            [[proxy]]
            name = "taken"
            listen = "127.0.0.1:0"
            cluster = "c"

            [[cluster]]
            name = "c"
            upstreams = ["127.0.0.1:1"]
            """);
        await using var running = SluiceProcess.Start(dir.Path, "run", "-c", first);
        var endpoint = await running.ListeningAsync("taken", Timeout);
        var second = dir.File("second.toml", File.ReadAllText(first).Replace("127.0.0.1:0", endpoint.ToString(), StringComparison.Ordinal));

        var (code, output) = await SluiceProcess.RunAsync(dir.Path, "run", "-c", second);

        Assert.Equal(1, code);
        Assert.Contains($"cannot listen on {endpoint}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonLogFormat_EveryLineIsAJsonObject_WithCategoryAndEventId()
    {
        await using var backend = TestBackend.Echo();
        using var dir = new TempDirectory();
        var config = dir.File("sluice.toml", ProxyToml("j", backend.Address, server: "log_format = \"json\""));
        await using var sluice = SluiceProcess.Start(dir.Path, "run", "-c", config);
        await sluice.WaitForOutputAsync("listening on", Timeout);
        await sluice.WaitForOutputAsync("watching", Timeout);

        var lines = sluice.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(json.RootElement.TryGetProperty("Category", out _), line);
            Assert.True(json.RootElement.TryGetProperty("EventId", out _), line);
        }
    }

    private static async Task RoundTrip(Socket socket, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        await socket.SendAsync(bytes);
        Assert.Equal(bytes, await SocketIo.ReadExactlyAsync(socket, bytes.Length, Timeout));
    }
}
