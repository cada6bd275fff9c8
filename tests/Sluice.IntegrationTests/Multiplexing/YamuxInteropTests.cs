using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Multiplexing;

namespace Sluice.IntegrationTests.Multiplexing;

/// <summary>
/// Sluice's multiplexer against hashicorp/yamux (the Go reference, Debian's 2019 package) over
/// loopback TCP, in both directions: checksummed payloads on concurrent streams, half-close both
/// ways, resets, pings and go-away.
/// </summary>
public sealed class YamuxInteropTests
{
    private const int MiB = 1024 * 1024;

    [SkippableFact]
    public async Task Go_opens_concurrent_streams_and_Sluice_echoes_checksummed_payloads()
    {
        using var listener = Listen();
        await using var go = await GoYamuxPeer.StartAsync("-dial", Address(listener), "-role", "client", "-open", "4", "-size", (16 * MiB).ToString(), "-goaway");
        await using var session = MuxSession.Start(await AcceptAsync(listener), isClient: false, new MuxOptions(), NullLogger.Instance);
        var echo = EchoAllAsync(session);

        await go.WaitForLineAsync("ping");
        var ok = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            ok.Add(await go.WaitForLineAsync("ok "));
        }

        Assert.Equal(4, ok.Count);
        await go.WaitForLineAsync("goaway");

        // yamux's go-away: this side may open no more streams, the session itself stays up.
        MuxException? refused = null;
        for (var attempt = 0; attempt < 100 && refused is null; attempt++)
        {
            try
            {
                var stream = await session.OpenStreamAsync(CancellationToken.None);
                stream.Reset();
                await Task.Delay(50);
            }
            catch (MuxException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("go-away", refused.Message, StringComparison.Ordinal);
        Assert.Null(session.CloseReason);
        go.CloseInput();
        await session.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await echo.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task Sluice_opens_concurrent_streams_and_Go_echoes_them_with_half_close_both_ways()
    {
        await using var go = await GoYamuxPeer.StartAsync("-listen", "127.0.0.1:0", "-role", "server", "-window", (4 * MiB).ToString());
        var address = (await go.WaitForLineAsync("listening ")).Split(' ')[1];
        await using var session = MuxSession.Start(await DialAsync(address), isClient: true, new MuxOptions(), NullLogger.Instance);
        await go.WaitForLineAsync("connected");

        var sizes = new[] { 64 * MiB, 8 * MiB, 8 * MiB, 1 };
        var results = await Task.WhenAll(sizes.Select((size, i) => Task.Run(async () =>
        {
            await using var stream = await session.OpenStreamAsync(CancellationToken.None);
            var data = Payload(size, seed: i);
            var send = Task.Run(async () =>
            {
                await stream.WriteAsync("E"u8.ToArray());
                await stream.WriteAsync(data);
                await stream.CompleteWritesAsync();
            });

            // Go echoes until our FIN, then sends its own: the echo ends with EOF here.
            var echoed = await ReadToEndHashAsync(stream);
            await send;
            return echoed == (data.Length, Convert.ToHexString(SHA256.HashData(data)));
        })));

        Assert.All(results, Assert.True);
        var rtt = await session.PingAsync(CancellationToken.None);
        Assert.True(rtt > TimeSpan.Zero);
        await Poll.UntilAsync(() => session.OpenStreams == 0, "every stream closed both ways");
    }

    [SkippableFact]
    public async Task Go_receives_a_large_one_way_transfer_intact()
    {
        await using var go = await GoYamuxPeer.StartAsync("-listen", "127.0.0.1:0", "-role", "server");
        var address = (await go.WaitForLineAsync("listening ")).Split(' ')[1];
        await using var session = MuxSession.Start(await DialAsync(address), isClient: true, new MuxOptions(), NullLogger.Instance);

        await using var stream = await session.OpenStreamAsync(CancellationToken.None);
        var data = Payload(64 * MiB, seed: 99);
        await stream.WriteAsync("H"u8.ToArray());
        for (var offset = 0; offset < data.Length; offset += 1000 * 1000)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(1000 * 1000, data.Length - offset)));
        }

        await stream.CompleteWritesAsync();
        var answer = new byte[64];
        await stream.ReadExactlyAsync(answer);

        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), System.Text.Encoding.ASCII.GetString(answer), ignoreCase: true);
        Assert.Equal(0, await stream.ReadAsync(new byte[1]));
        Assert.Contains(" " + data.Length, await go.WaitForLineAsync("hashed "), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_reset_from_Sluice_reaches_the_Go_stream_and_the_session_serves_on()
    {
        await using var go = await GoYamuxPeer.StartAsync("-listen", "127.0.0.1:0", "-role", "server");
        var address = (await go.WaitForLineAsync("listening ")).Split(' ')[1];
        await using var session = MuxSession.Start(await DialAsync(address), isClient: true, new MuxOptions(), NullLogger.Instance);

        var doomed = await session.OpenStreamAsync(CancellationToken.None);
        await doomed.WriteAsync("R"u8.ToArray());
        await go.WaitForLineAsync("reading " + doomed.Id);
        await doomed.WriteAsync(new byte[100_000]);
        doomed.Reset();

        Assert.Equal("reset " + doomed.Id, await go.WaitForLineAsync("reset "));
        await using var next = await session.OpenStreamAsync(CancellationToken.None);
        await next.WriteAsync("Eafter"u8.ToArray());
        await next.CompleteWritesAsync();
        Assert.Equal("after"u8.ToArray(), await ReadAllAsync(next));
    }

    [SkippableFact]
    public async Task Streams_beyond_the_Go_accept_backlog_are_reset_by_Go_and_fail_cleanly_here()
    {
        await using var go = await GoYamuxPeer.StartAsync("-listen", "127.0.0.1:0", "-role", "server", "-accept=false", "-backlog", "4");
        var address = (await go.WaitForLineAsync("listening ")).Split(' ')[1];
        await using var session = MuxSession.Start(await DialAsync(address), isClient: true, new MuxOptions(), NullLogger.Instance);

        var streams = new List<MuxStream>();
        var resetBeforeWrite = 0;
        for (var i = 0; i < 10; i++)
        {
            var stream = await session.OpenStreamAsync(CancellationToken.None);
            try
            {
                await stream.WriteAsync(new byte[] { (byte)'E' });
                streams.Add(stream);
            }
            catch (MuxException ex) when (ex.Message.Contains("reset by the peer", StringComparison.Ordinal))
            {
                // Go may refuse a stream beyond its backlog before our first byte is written.
                resetBeforeWrite++;
            }
        }

        // yamux queues 4 unaccepted streams and resets the rest; reads on those fail here.
        var outcomes = await Task.WhenAll(streams.Select(async s =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                _ = await s.ReadAsync(new byte[1], timeout.Token);
                return "eof";
            }
            catch (MuxException ex) when (ex.Message.Contains("reset by the peer", StringComparison.Ordinal))
            {
                return "reset";
            }
            catch (OperationCanceledException)
            {
                return "open";
            }
        }));

        Assert.Equal(6, resetBeforeWrite + outcomes.Count(o => o == "reset"));
        Assert.Equal(4, outcomes.Count(o => o == "open"));
        Assert.Null(session.CloseReason);
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    private static string Address(Socket listener) => listener.LocalEndPoint!.ToString()!;

    private static async Task<NetworkStream> AcceptAsync(Socket listener)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var socket = await listener.AcceptAsync(timeout.Token);
        socket.NoDelay = true;
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static async Task<NetworkStream> DialAsync(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(address));
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static byte[] Payload(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static async Task<(int Length, string Hash)> ReadToEndHashAsync(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, Convert.ToHexString(hash.GetHashAndReset()));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    /// <summary>Accepts streams until the session ends; each starts with a command byte, then is echoed.</summary>
    private static async Task EchoAllAsync(MuxSession session)
    {
        var echoes = new List<Task>();
        while (await session.AcceptStreamAsync(CancellationToken.None) is { } stream)
        {
            echoes.Add(Task.Run(async () =>
            {
                await using var s = stream;
                try
                {
                    var command = new byte[1];
                    await s.ReadExactlyAsync(command);
                    await s.CopyToAsync(s);
                    await s.CompleteWritesAsync();
                }
                catch (MuxException)
                {
                    // The session ended under the echo (the test closes it at the end).
                }
            }));
        }

        await Task.WhenAll(echoes);
    }
}
