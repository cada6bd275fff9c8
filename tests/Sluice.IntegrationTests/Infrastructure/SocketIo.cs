using System.Net.Sockets;

namespace Sluice.IntegrationTests.Infrastructure;

public static class SocketIo
{
    /// <summary>Reads until EOF or <paramref name="max"/> bytes; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan timeout, int max = int.MaxValue)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var result = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (result.Length < max)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }

            result.Write(buffer, 0, n);
        }

        return result.ToArray();
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                throw new EndOfStreamException($"EOF after {read} of {count} bytes");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>True when the peer closed (EOF or reset) within <paramref name="timeout"/>.</summary>
    public static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
