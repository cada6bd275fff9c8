using System.Diagnostics;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>A real redis-server (Debian package redis-server) on a loopback port, no persistence.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _binary;
    private readonly string _dir;
    private Process? _process;

    private RedisServer(string binary, int port)
    {
        _binary = binary;
        Port = port;
        _dir = Directory.CreateTempSubdirectory("sluice-redis-").FullName;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string binary, int? port = null)
    {
        var server = new RedisServer(binary, port ?? FreePort());
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo(_binary)
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", _dir })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync("127.0.0.1", Port);
                await s.SendAsync("PING\r\n"u8.ToArray());
                var reply = await SocketIo.ReadExactlyAsync(s, 7, TimeSpan.FromSeconds(2));
                if (reply.AsSpan().SequenceEqual("+PONG\r\n"u8))
                {
                    return;
                }
            }
            catch (Exception) when (watch.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Kills the server abruptly (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
