using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

/// <summary>
/// One multiplexed connection in the yamux wire format (docs/protocols/tunnel.md): many
/// full-duplex <see cref="MuxStream"/>s over one transport stream, with per-stream flow control,
/// a session-wide bound on buffered memory, keepalive pings and go-away.
/// </summary>
/// <remarks>
/// One read loop parses frames and hands payloads to streams; one write loop coalesces control
/// frames and round-robin data from all streams into batched transport writes. Lock order: a
/// stream's lock may be held while taking the session's stream-table or write-queue lock, never
/// the other way round, and no lock is held across an await.
/// </remarks>
internal sealed partial class MuxSession : IAsyncDisposable
{
    /// <summary>The window every stream starts with on both sides (yamux spec, "Flow Control").</summary>
    internal const int BaselineWindow = 256 * 1024;

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly Stream _transport;
    private readonly bool _isClient;
    private readonly MuxOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _streamsLock = new();
    private readonly Dictionary<uint, MuxStream> _streams = [];
    private readonly Channel<MuxStream> _acceptQueue = Channel.CreateUnbounded<MuxStream>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly SemaphoreSlim _openSlots;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _nextStreamId;
    private uint _highestRemoteId;
    private int _acceptPending;
    private int _lingering;
    private long _reservedWindow;
    private long _bufferedBytes;
    private long _windowGrowths;
    private volatile string? _closeReason;
    private volatile bool _localGoAway;
    private volatile bool _remoteGoAway;
    private int _loopsRunning;
    private int _transportClosed;

    private MuxSession(Stream transport, bool isClient, MuxOptions options, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StreamWindow, BaselineWindow);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxStreamWindow, options.StreamWindow);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFramePayload, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WriteBatchSize, options.MaxFramePayload + (4 * FrameHeader.Size));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AcceptBacklog, 1);
        _transport = transport;
        _isClient = isClient;
        _options = options;
        _logger = logger;
        _nextStreamId = isClient ? 1u : 2u;
        _openSlots = new SemaphoreSlim(options.AcceptBacklog, options.AcceptBacklog);
    }

    /// <summary>Starts the read, write and keepalive loops; the client (dialing side) uses odd stream ids.</summary>
    public static MuxSession Start(Stream transport, bool isClient, MuxOptions options, ILogger logger)
    {
        var session = new MuxSession(transport, isClient, options, logger);
        MuxLog.SessionStarted(logger, isClient ? "client" : "server");
        session._loopsRunning = 2;
        _ = session.ReadLoopAsync();
        _ = session.WriteLoopAsync();
        _ = session.HousekeepingLoopAsync();
        return session;
    }

    internal MuxOptions Options => _options;

    internal ILogger Logger => _logger;

    /// <summary>Completes (never faults) once the session has ended and its transport is closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Why the session ended; null while it runs.</summary>
    public string? CloseReason => _closeReason;

    public bool IsClosed => _closeReason is not null;

    /// <summary>Streams open now (opened or accepted and not yet closed both ways or reset).</summary>
    public int OpenStreams
    {
        get
        {
            lock (_streamsLock)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Bytes received on all streams and not yet read by the application.</summary>
    public long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    /// <summary>Receive window granted across all open streams (what the peer may have in flight plus unread bytes).</summary>
    public long ReceiveWindowBytes => Interlocked.Read(ref _reservedWindow);

    /// <summary>Mean receive window of the open streams, in bytes (0 with none open).</summary>
    public long AverageStreamWindow
    {
        get
        {
            var streams = OpenStreams;
            return streams == 0 ? 0 : ReceiveWindowBytes / streams;
        }
    }

    /// <summary>How many times a stream's receive window was doubled because it was throughput-bound.</summary>
    public long WindowGrowths => Interlocked.Read(ref _windowGrowths);

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

    /// <summary>Sends go-away (normal): the peer opens no more streams, new SYNs are refused, open streams finish.</summary>
    public ValueTask GoAwayAsync(CancellationToken cancellationToken)
    {
        if (!_localGoAway && _closeReason is null)
        {
            _localGoAway = true;
            MuxLog.LocalGoAway(_logger, nameof(GoAwayCode.Normal));
            EnqueueSessionFrame(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)GoAwayCode.Normal));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the session: go-away (normal) if still possible, streams reset, transport closed. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        Close("disposed", _localGoAway ? null : GoAwayCode.Normal);
        await _completion.Task;
    }

    internal bool IsOurs(uint streamId) => (streamId & 1) == (_isClient ? 1u : 0u);

    /// <summary>Ends the session once with <paramref name="reason"/>; sends go-away with <paramref name="goAway"/> first when given.</summary>
    internal void Close(string reason, GoAwayCode? goAway)
    {
        MuxStream[] streams;
        lock (_streamsLock)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            streams = [.. _streams.Values];
        }

        MuxLog.SessionClosed(_logger, reason, streams.Length);
        _shutdown.Cancel();
        _acceptQueue.Writer.TryComplete();
        while (_acceptQueue.Reader.TryRead(out var unaccepted))
        {
            unaccepted.OnSessionClosed(reason);
        }

        foreach (var stream in streams)
        {
            stream.OnSessionClosed(reason);
        }

        FailPings(reason);
        BeginWriterShutdown(goAway);
        _ = CloseTransportAfterGraceAsync();
    }

    internal void ProtocolError(string reason)
    {
        MuxLog.ProtocolError(_logger, reason);
        Close("protocol error: " + reason, GoAwayCode.ProtocolError);
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

    /// <summary>
    /// Reserves a new stream's 256 KiB baseline, which the protocol grants whether or not the
    /// budget has room; true when it fit within <see cref="MuxOptions.MaxSessionBuffer"/>.
    /// </summary>
    internal bool ReserveBaseline() => Interlocked.Add(ref _reservedWindow, BaselineWindow) <= _options.MaxSessionBuffer;

    /// <summary>
    /// Received bytes would pass the session bound: reset over-budget streams, largest unread
    /// first, until <paramref name="length"/> more fit. Streams within budget never need this:
    /// their windows together fit the bound, so only over-budget streams can be the excess.
    /// </summary>
    internal void MakeRoom(uint length, MuxStream receiver)
    {
        MuxStream[] streams;
        lock (_streamsLock)
        {
            streams = [.. _streams.Values];
        }

        while (BufferedBytes + length > _options.MaxSessionBuffer)
        {
            MuxStream? largest = null;
            long largestBuffered = 0;
            foreach (var stream in streams)
            {
                var buffered = stream.OverBudgetBuffered;
                if (stream != receiver && buffered > largestBuffered)
                {
                    largest = stream;
                    largestBuffered = buffered;
                }
            }

            if (largest is null)
            {
                return;
            }

            MuxLog.SessionBufferFull(_logger, largest.Id, length, _options.MaxSessionBuffer, BufferedBytes);
            largest.ResetForSessionBound();
        }
    }

    /// <summary>Grants up to <paramref name="wanted"/> more window from the session budget; returns how much.</summary>
    internal int TryReserveWindow(int wanted)
    {
        if (wanted <= 0)
        {
            return 0;
        }

        while (true)
        {
            var reserved = Interlocked.Read(ref _reservedWindow);
            var granted = (int)Math.Min(wanted, _options.MaxSessionBuffer - reserved);
            if (granted <= 0)
            {
                return 0;
            }

            if (Interlocked.CompareExchange(ref _reservedWindow, reserved + granted, reserved) == reserved)
            {
                return granted;
            }
        }
    }

    internal void CountWindowGrowth() => Interlocked.Increment(ref _windowGrowths);

    internal void AddBuffered(int length) => Interlocked.Add(ref _bufferedBytes, length);

    internal void RemoveBuffered(long length) => Interlocked.Add(ref _bufferedBytes, -length);

    internal void ReturnWindow(int window) => Interlocked.Add(ref _reservedWindow, -window);

    internal static long Now => Stopwatch.GetTimestamp();

    private void ThrowIfCannotOpen()
    {
        if (_closeReason is { } reason)
        {
            throw new MuxException("The multiplexed session has ended: " + reason);
        }

        if (_remoteGoAway)
        {
            throw new MuxException("The peer sent go-away; no new streams can be opened on this session");
        }

        if (_localGoAway)
        {
            throw new MuxException("This session sent go-away; no new streams can be opened on it");
        }
    }

    private void OnLoopExited()
    {
        if (Interlocked.Decrement(ref _loopsRunning) == 0)
        {
            CloseTransport();
            _completion.TrySetResult();
        }
    }

    private void CloseTransport()
    {
        if (Interlocked.Exchange(ref _transportClosed, 1) == 0)
        {
            try
            {
                _transport.Dispose();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                MuxLog.TransportError(_logger, ex);
            }
        }
    }

    private async Task CloseTransportAfterGraceAsync()
    {
        // The write loop closes the transport after flushing the go-away; a peer that stopped
        // reading must not keep it (and the read loop) alive.
        await Task.WhenAny(_completion.Task, Task.Delay(CloseGrace));
        CloseTransport();
    }
}
