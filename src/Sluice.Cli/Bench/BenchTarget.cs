using System.Net;
using System.Net.Sockets;
using Sluice.Configuration;

namespace Sluice.Cli.Bench;

/// <summary>Where a bench run connects: "host:port" resolved once, before the clock starts.</summary>
internal static class BenchTarget
{
    public static async Task<IPEndPoint> ResolveAsync(string text, CancellationToken cancellationToken)
    {
        if (!HostPort.TryParse(text, out var hostPort, out var error))
        {
            throw new BenchException($"target {error}");
        }

        if (hostPort.Ip is { } ip)
        {
            return new IPEndPoint(ip, hostPort.Port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(hostPort.Host, cancellationToken);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            return chosen is null
                ? throw new BenchException($"target {hostPort.Host} resolved to no address")
                : new IPEndPoint(chosen, hostPort.Port);
        }
        catch (SocketException ex)
        {
            throw new BenchException($"target {hostPort.Host}: {ex.Message}", ex);
        }
    }

    /// <summary>A connected socket with Nagle off (request/response latency must not wait for a delayed ACK).</summary>
    public static async ValueTask<Socket> ConnectAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects <paramref name="count"/> sockets, <paramref name="parallelism"/> at a time; the first failure ends the run with a clear message.</summary>
    public static async Task<Socket[]> ConnectAllAsync(IPEndPoint target, int count, int parallelism, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sockets = new Socket[count];
        var next = -1;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var workers = new Task[Math.Min(parallelism, count)];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(async () =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < count)
                    {
                        sockets[i] = await ConnectAsync(target, cts.Token);
                    }
                }, CancellationToken.None);
            }

            await Task.WhenAll(workers);
            return sockets;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            foreach (var s in sockets)
            {
                s?.Dispose();
            }

            var reason = ex is SocketException se ? se.Message : $"no connection within {timeout.TotalSeconds:0.#} s";
            throw new BenchException($"cannot connect to {target}: {reason}", ex);
        }
    }
}
