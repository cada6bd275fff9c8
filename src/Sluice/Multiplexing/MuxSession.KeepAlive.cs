using System.Diagnostics;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

internal sealed partial class MuxSession
{
    private readonly Lock _pingLock = new();
    private readonly Dictionary<uint, (long Sent, TaskCompletionSource<TimeSpan>? Waiter)> _pings = [];
    private uint _nextPingId;
    private static readonly TimeSpan MaxRttProbe = TimeSpan.FromSeconds(16);

    private long _smoothedRtt;
    private long _minRtt;

    /// <summary>
    /// The smallest round trip seen, in <see cref="Stopwatch"/> ticks; 0 until measured. Window
    /// auto-tuning uses it rather than the smoothed value: a ping that queued behind bulk data
    /// (or a busy host) measures the queue, not the path, and would make windows grow for readers
    /// that are simply slow.
    /// </summary>
    internal long MinRttTicks => Interlocked.Read(ref _minRtt);

    private long SmoothedRttTicks => Interlocked.Read(ref _smoothedRtt);

    /// <summary>Smoothed round-trip time measured with pings; null until the first answer.</summary>
    public TimeSpan? RoundTripTime => SmoothedRttTicks == 0 ? null : Stopwatch.GetElapsedTime(0, SmoothedRttTicks);

    /// <summary>Sends a ping and returns the time until its answer.</summary>
    /// <exception cref="MuxException">The session ended before the answer.</exception>
    public async ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        if (_closeReason is { } reason)
        {
            throw new MuxException("The multiplexed session has ended: " + reason);
        }

        var waiter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = SendPing(waiter);
        try
        {
            return await waiter.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            lock (_pingLock)
            {
                _pings.Remove(id);
            }
        }
    }

    private uint SendPing(TaskCompletionSource<TimeSpan>? waiter)
    {
        uint id;
        lock (_pingLock)
        {
            id = ++_nextPingId;
            _pings[id] = (Now, waiter);
        }

        EnqueueSessionFrame(new FrameHeader(FrameType.Ping, FrameFlags.Syn, 0, id));
        if (_closeReason is { } reason)
        {
            FailPings(reason);
        }

        return id;
    }

    private void OnPong(uint id)
    {
        (long Sent, TaskCompletionSource<TimeSpan>? Waiter) ping;
        lock (_pingLock)
        {
            if (!_pings.Remove(id, out ping))
            {
                return;
            }
        }

        var sample = Math.Max(1, Now - ping.Sent);
        var smoothed = Interlocked.Read(ref _smoothedRtt);
        Interlocked.Exchange(ref _smoothedRtt, smoothed == 0 ? sample : ((7 * smoothed) + sample) / 8);
        var min = Interlocked.Read(ref _minRtt);
        if (min == 0 || sample < min)
        {
            Interlocked.Exchange(ref _minRtt, sample);
        }

        ping.Waiter?.TrySetResult(Stopwatch.GetElapsedTime(ping.Sent));
    }

    private void FailPings(string reason)
    {
        List<TaskCompletionSource<TimeSpan>> waiters = [];
        lock (_pingLock)
        {
            foreach (var ping in _pings.Values)
            {
                if (ping.Waiter is not null)
                {
                    waiters.Add(ping.Waiter);
                }
            }

            _pings.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetException(new MuxException("The multiplexed session has ended: " + reason));
        }
    }

    private bool IsPingOutstanding(uint id)
    {
        lock (_pingLock)
        {
            return _pings.ContainsKey(id);
        }
    }

    /// <summary>Keepalive pings and stream open timeouts, on one timer per session.</summary>
    private async Task HousekeepingLoopAsync()
    {
        var keepAlive = _options.KeepAliveInterval > TimeSpan.Zero;
        var shortest = TimeSpan.FromTicks(Math.Min(_options.StreamOpenTimeout.Ticks, _options.StreamCloseTimeout.Ticks));
        if (keepAlive && _options.KeepAliveInterval < shortest)
        {
            shortest = _options.KeepAliveInterval;
        }

        var tick = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        var token = _shutdown.Token;
        try
        {
            // Round-trip samples for window auto-tuning: one at once, then at 1, 2, 4, 8 and 16 s
            // (the first ones are often inflated by a process still warming up; the minimum of
            // several converges on the path's), then every keepalive.
            SendPing(null);
            var started = Now;
            var nextProbe = TimeSpan.FromSeconds(1);
            using var timer = new PeriodicTimer(tick);
            var lastKeepAlive = Now;
            uint keepAliveId = 0;
            while (await timer.WaitForNextTickAsync(token))
            {
                if (nextProbe <= MaxRttProbe && Stopwatch.GetElapsedTime(started) >= nextProbe)
                {
                    nextProbe *= 2;
                    SendPing(null);
                }

                if (keepAlive)
                {
                    if (keepAliveId != 0 && !IsPingOutstanding(keepAliveId))
                    {
                        keepAliveId = 0;
                    }

                    if (keepAliveId != 0 && Stopwatch.GetElapsedTime(lastKeepAlive) > _options.KeepAliveTimeout && IsPeerUnresponsive())
                    {
                        MuxLog.KeepAliveTimeout(_logger, _options.KeepAliveTimeout);
                        Close("keepalive timeout", null);
                        return;
                    }

                    if (keepAliveId == 0 && Stopwatch.GetElapsedTime(lastKeepAlive) >= _options.KeepAliveInterval)
                    {
                        lastKeepAlive = Now;
                        keepAliveId = SendPing(null);
                    }
                }

                if (_openSlots.CurrentCount < _options.AcceptBacklog || Volatile.Read(ref _lingering) > 0)
                {
                    CheckStreamTimeouts();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// With a ping unanswered past the timeout: the peer is dead if nothing at all arrived from it
    /// for that long, or if our transport write has not completed for that long (it stopped
    /// reading). On a slow, busy link the ping may simply queue behind megabytes of data while
    /// frames keep arriving and writes keep completing; that session is alive and stays.
    /// </summary>
    private bool IsPeerUnresponsive()
    {
        var writeStarted = Interlocked.Read(ref _writeStarted);
        var writeStalled = writeStarted != 0 && Stopwatch.GetElapsedTime(writeStarted) > _options.KeepAliveTimeout;
        var silent = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastReceived)) > _options.KeepAliveTimeout;
        return writeStalled || silent;
    }

    private void CheckStreamTimeouts()
    {
        MuxStream[] streams;
        lock (_streamsLock)
        {
            streams = [.. _streams.Values];
        }

        foreach (var stream in streams)
        {
            stream.CheckTimeouts(_options.StreamOpenTimeout, _options.StreamCloseTimeout);
        }
    }
}
