using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sluice.Configuration;

namespace Sluice.Transport;

/// <summary>
/// Opens TCP connections to upstreams. Host names are resolved on every connect so DNS changes
/// are followed; failures come back as a <see cref="ConnectResult"/>, not an exception, because
/// a refused upstream is routine for a load balancer.
/// </summary>
public static class UpstreamDialer
{
    public static async ValueTask<ConnectResult> ConnectAsync(HostPort target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);

        var (addresses, resolveError) = await ResolveAsync(target, timeoutCts.Token, cancellationToken);
        if (addresses is null)
        {
            return new ConnectResult(null, resolveError, null, Stopwatch.GetElapsedTime(started));
        }

        var lastError = ConnectError.Other;
        IPEndPoint? lastEndPoint = null;
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, target.Port);
            lastEndPoint = endPoint;
            Socket? socket = null;
            try
            {
                // Inside the try: out of descriptors (EMFILE) fails here, and is a connect error
                // like any other rather than an exception escaping into the connection handler.
                socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(endPoint, timeoutCts.Token);
                return new ConnectResult(socket, ConnectError.None, endPoint, Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket?.Dispose();
                return new ConnectResult(null, ConnectError.Timeout, endPoint, Stopwatch.GetElapsedTime(started));
            }
            catch (SocketException ex)
            {
                socket?.Dispose();
                lastError = ex.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => ConnectError.Refused,
                    SocketError.HostUnreachable or SocketError.NetworkUnreachable => ConnectError.Unreachable,
                    SocketError.TimedOut => ConnectError.Timeout,
                    SocketError.TooManyOpenSockets => ConnectError.NoDescriptors,
                    _ => ConnectError.Other,
                };
            }
            catch
            {
                socket?.Dispose();
                throw;
            }
        }

        return new ConnectResult(null, lastError, lastEndPoint, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// The target's addresses: the literal, or a fresh DNS lookup bounded by
    /// <paramref name="timeoutToken"/>. Null with the error when there are none.
    /// </summary>
    internal static async ValueTask<(IPAddress[]? Addresses, ConnectError Error)> ResolveAsync(HostPort target, CancellationToken timeoutToken, CancellationToken cancellationToken)
    {
        if (target.Ip is { } literal)
        {
            return ([literal], ConnectError.None);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(target.Host, timeoutToken);
            return addresses.Length == 0 ? (null, ConnectError.DnsFailure) : (addresses, ConnectError.None);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, ex is OperationCanceledException ? ConnectError.Timeout : ConnectError.DnsFailure);
        }
    }
}
