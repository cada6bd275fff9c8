using System.Net;
using Sluice.Configuration;
using Sluice.Transport;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// <see cref="UpstreamDialer"/> for the epoll engine: the same resolution and error mapping, but
/// the result is a raw descriptor. An IP literal (the usual upstream) connects without any
/// async machinery of its own.
/// </summary>
internal static class EpollDialer
{
    /// <param name="literal">The target as an endpoint when it is an IP literal (see Upstream.LiteralEndPoint).</param>
    public static ValueTask<DescriptorConnectResult> ConnectAsync(HostPort target, IPEndPoint? literal, EpollLoop loop, TimeSpan timeout, CancellationToken cancellationToken) =>
        literal is not null
            ? EpollConnect.ConnectAsync(loop, literal, timeout)
            : ResolveAndConnectAsync(target, loop, timeout, cancellationToken);

    private static async ValueTask<DescriptorConnectResult> ResolveAndConnectAsync(HostPort target, EpollLoop loop, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        var deadline = started + (long)timeout.TotalMilliseconds;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var (addresses, resolveError) = await UpstreamDialer.ResolveAsync(target, timeoutCts.Token, cancellationToken);
        if (addresses is null)
        {
            return new DescriptorConnectResult(-1, resolveError, null, TimeSpan.FromMilliseconds(Environment.TickCount64 - started));
        }

        var result = new DescriptorConnectResult(-1, ConnectError.Other, null, TimeSpan.Zero);
        foreach (var address in addresses)
        {
            var left = TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
            result = await EpollConnect.ConnectAsync(loop, new IPEndPoint(address, target.Port), left);
            if (result.Succeeded || result.Error == ConnectError.Timeout)
            {
                break;
            }
        }

        return result;
    }
}
