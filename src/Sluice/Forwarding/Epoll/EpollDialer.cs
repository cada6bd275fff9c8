using System.Diagnostics;
using System.Net;
using Sluice.Configuration;
using Sluice.Transport;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// <see cref="UpstreamDialer"/> for the epoll engine: the same resolution and error mapping, but
/// the result is a raw descriptor watched by the given loop.
/// </summary>
internal static class EpollDialer
{
    private const int ECanceled = 125;

    public static async ValueTask<DescriptorConnectResult> ConnectAsync(HostPort target, EpollLoop loop, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);

        var (addresses, resolveError) = await UpstreamDialer.ResolveAsync(target, timeoutCts.Token, cancellationToken);
        if (addresses is null)
        {
            return new DescriptorConnectResult(-1, resolveError, null, Stopwatch.GetElapsedTime(started));
        }

        var lastError = ConnectError.Other;
        IPEndPoint? lastEndPoint = null;
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, target.Port);
            lastEndPoint = endPoint;
            var (fd, errno) = await EpollConnect.ConnectAsync(loop, endPoint, timeoutCts.Token);
            if (fd >= 0)
            {
                return new DescriptorConnectResult(fd, ConnectError.None, endPoint, Stopwatch.GetElapsedTime(started));
            }

            cancellationToken.ThrowIfCancellationRequested();
            lastError = errno switch
            {
                ECanceled or LibC.ETimedOut => ConnectError.Timeout,
                LibC.EConnRefused => ConnectError.Refused,
                LibC.ENetUnreach or LibC.EHostUnreach => ConnectError.Unreachable,
                LibC.EMFile or LibC.ENFile or LibC.ENoBufs => ConnectError.NoDescriptors,
                _ => ConnectError.Other,
            };
            if (lastError == ConnectError.Timeout)
            {
                break;
            }
        }

        return new DescriptorConnectResult(-1, lastError, lastEndPoint, Stopwatch.GetElapsedTime(started));
    }
}
