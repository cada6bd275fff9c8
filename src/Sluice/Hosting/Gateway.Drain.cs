using Sluice.Forwarding;
using Sluice.Transport;

namespace Sluice.Hosting;

public sealed partial class Gateway
{
    /// <summary>
    /// Graceful stop: stop accepting, let proxied connections finish until
    /// <paramref name="deadline"/>, then abort what is left. Echo backends go last, so proxied
    /// connections to them can finish.
    /// </summary>
    public async Task DrainAsync(TimeSpan deadline)
    {
        _draining = true;
        await _applyLock.WaitAsync();
        try
        {
            List<TcpListenerLoop> listeners;
            lock (_listeners)
            {
                listeners = [];
                foreach (var (key, listener) in _listeners.ToList())
                {
                    if (key.Kind != "echo")
                    {
                        _listeners.Remove(key);
                        listeners.Add(listener);
                    }
                }
            }

            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }

            await StopAllFirehosesAsync();
            await GoAwayTunnelsAsync();
            LogDraining(_logger, _proxyConnections.Count, (long)deadline.TotalMilliseconds);
            using var timeout = new CancellationTokenSource(deadline);
            try
            {
                await _proxyConnections.WaitForEmptyAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                LogDrainDeadline(_logger, _proxyConnections.Count);
                _stopping.Cancel();
                _proxyConnections.AbortAll(CloseReason.Shutdown);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _proxyConnections.WaitForEmptyAsync(grace.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            await DrainTunnelsAsync(deadline);
            lock (_listeners)
            {
                listeners = _listeners.Values.ToList();
                _listeners.Clear();
            }

            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }

            _echoConnections.AbortAll(CloseReason.Shutdown);
            foreach (var cluster in _clusters.Values)
            {
                await cluster.DisposeAsync();
            }
        }
        finally
        {
            _applyLock.Release();
        }
    }
}
