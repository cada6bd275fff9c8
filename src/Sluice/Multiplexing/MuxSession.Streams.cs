using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

/// <summary>Opening, accepting and forgetting streams.</summary>
internal sealed partial class MuxSession
{
    /// <summary>Opens a stream (SYN with the opening window); it can be written to at once.</summary>
    /// <exception cref="MuxException">The session has ended or either side sent go-away.</exception>
    public async ValueTask<MuxStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        ThrowIfCannotOpen();

        // Like yamux, at most AcceptBacklog opened streams may wait for the peer's ACK.
        if (!_openSlots.Wait(0, CancellationToken.None))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
            try
            {
                await _openSlots.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                ThrowIfCannotOpen();
                throw;
            }
        }

        MuxStream stream;
        lock (_streamsLock)
        {
            if (_closeReason is not null || _localGoAway || _remoteGoAway || _nextStreamId > uint.MaxValue - 2)
            {
                _openSlots.Release();
                ThrowIfCannotOpen();
                throw new MuxException("Stream ids are exhausted; open a new session");
            }

            stream = new MuxStream(this, _nextStreamId, outbound: true);
            _nextStreamId += 2;
            _streams.Add(stream.Id, stream);
        }

        stream.SendSyn();
        return stream;
    }

    /// <summary>The next stream the peer opened, or null once the session has ended.</summary>
    public async ValueTask<MuxStream?> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        while (await _acceptQueue.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_acceptQueue.Reader.TryRead(out var stream))
            {
                Interlocked.Decrement(ref _acceptPending);
                if (stream.TryAccept())
                {
                    return stream;
                }
            }
        }

        return null;
    }

    /// <summary>Removes a finished stream from the table and gives back its window reservation.</summary>
    internal void Release(MuxStream stream, int reservedWindow, bool holdsOpenSlot)
    {
        lock (_streamsLock)
        {
            _streams.Remove(stream.Id);
        }

        Interlocked.Add(ref _reservedWindow, -reservedWindow);
        if (holdsOpenSlot)
        {
            ReleaseOpenSlot();
        }
    }

    internal void ReleaseOpenSlot() => _openSlots.Release();

    /// <summary>Counts streams closed by the application and waiting for the peer's FIN (they need the close-timeout scan).</summary>
    internal void AddLingering(int delta) => Interlocked.Add(ref _lingering, delta);

    /// <summary>Registers a stream the peer opened; false when the session ended, true with null when refused (RST queued).</summary>
    private bool TryOpenRemoteStream(uint id, out MuxStream? stream)
    {
        stream = null;
        if (IsOurs(id))
        {
            ProtocolError("the peer opened stream " + id + " with this side's id parity");
            return false;
        }

        var reused = false;
        var backlogFull = false;
        lock (_streamsLock)
        {
            if (_streams.ContainsKey(id))
            {
                reused = true;
            }
            else
            {
                _highestRemoteId = Math.Max(_highestRemoteId, id);
                if (_localGoAway || _closeReason is not null)
                {
                    // Refused below.
                }
                else if (Volatile.Read(ref _acceptPending) >= _options.AcceptBacklog)
                {
                    backlogFull = true;
                }
                else
                {
                    stream = new MuxStream(this, id, outbound: false);
                    _streams.Add(id, stream);
                    Interlocked.Increment(ref _acceptPending);
                }
            }
        }

        if (reused)
        {
            ProtocolError("stream id " + id + " reused while that stream is open");
            return false;
        }

        if (stream is null)
        {
            if (backlogFull)
            {
                MuxLog.AcceptBacklogFull(_logger, id, _options.AcceptBacklog);
            }
            else
            {
                MuxLog.StreamRefused(_logger, id, "this session sent go-away");
            }

            return EnqueueSessionFrame(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Rst, id, 0));
        }

        _acceptQueue.Writer.TryWrite(stream);
        return true;
    }
}
