using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Sluice.Configuration;
using Sluice.Transport;

namespace Sluice.Health;

/// <summary>
/// The configured check: a TCP connect, then optionally write <c>send</c> and wait for a reply that
/// contains <c>expect</c>. The whole check (connect included) is bounded by <c>timeout</c>.
/// </summary>
internal sealed class TcpUpstreamProbe : IUpstreamProbe
{
    /// <summary>A reply is searched for <c>expect</c> only within its first 4 KiB, so a chatty or hostile upstream costs a bounded buffer.</summary>
    internal const int MaxReplyBytes = 4096;

    private readonly TimeSpan _timeout;
    private readonly byte[]? _send;
    private readonly byte[]? _expect;
    private readonly TimeProvider _time;

    public TcpUpstreamProbe(HealthCheckConfig config, TimeProvider time)
    {
        _timeout = config.Timeout;
        _send = string.IsNullOrEmpty(config.Send) ? null : Encoding.UTF8.GetBytes(config.Send);
        _expect = string.IsNullOrEmpty(config.Expect) ? null : Encoding.UTF8.GetBytes(config.Expect);
        _time = time;
    }

    public async ValueTask<ProbeResult> ProbeAsync(HostPort target, CancellationToken cancellationToken)
    {
        // The dialer re-resolves host names on every connect, so a check follows DNS changes.
        var connect = await UpstreamDialer.ConnectAsync(target, _timeout, cancellationToken);
        if (connect.Socket is not { } socket)
        {
            return ProbeResult.Fail(connect.Reason);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: true);
        if (_send is null && _expect is null)
        {
            return ProbeResult.Pass;
        }

        var remaining = _timeout - connect.Elapsed;
        if (remaining <= TimeSpan.Zero)
        {
            return ProbeResult.Fail("check_timeout");
        }

        using var timeout = new CancellationTokenSource(remaining, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var step = "send";
        try
        {
            if (_send is not null)
            {
                await stream.WriteAsync(_send, linked.Token);
            }

            if (_expect is null)
            {
                return ProbeResult.Pass;
            }

            step = "reply";
            return await ReadExpectedAsync(stream, _expect, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail(step + "_timeout");
        }
        catch (IOException ex)
        {
            return ProbeResult.Fail(step + "_error: " + ex.Message);
        }
        catch (SocketException ex)
        {
            return ProbeResult.Fail(step + "_error: " + ex.Message);
        }
    }

    private static async ValueTask<ProbeResult> ReadExpectedAsync(NetworkStream stream, byte[] expect, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxReplyBytes);
        try
        {
            var filled = 0;
            while (filled < MaxReplyBytes)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled, MaxReplyBytes - filled), cancellationToken);
                if (read == 0)
                {
                    return ProbeResult.Fail($"reply_mismatch: closed after {filled} byte(s) without the expected text");
                }

                // Search only from where a match could start that includes the new bytes.
                var from = Math.Max(0, filled - expect.Length + 1);
                filled += read;
                if (buffer.AsSpan(from, filled - from).IndexOf(expect) >= 0)
                {
                    return ProbeResult.Pass;
                }
            }

            return ProbeResult.Fail($"reply_mismatch: expected text not in the first {MaxReplyBytes} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
