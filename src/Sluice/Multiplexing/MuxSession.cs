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

    /// <summary>
    /// Writes up to this size are framed into the open batch by the writing thread, and readers
    /// of a data frame this small (with no more than this to read) are woken on the read loop's
    /// thread (see
    /// <see cref="MuxStream.InlineWakeups"/>): for request/response messages that saves a thread
    /// hop each way. Bulk data keeps the hand-off, so reading, sending and encrypting overlap on
    /// two cores (measured: waking every reader inline cost single-stream TLS bulk ~10-30 %).
    /// </summary>
    internal const int SmallMessage = 4 * 1024;

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
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSessionBuffer, BaselineWindow);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedControlFrames, 16);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StreamOpenTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StreamCloseTimeout, TimeSpan.Zero);
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.KeepAliveTimeout, TimeSpan.Zero);
        }

        _transport = transport;
        _isClient = isClient;
        _options = options;
        _logger = logger;
        _nextStreamId = isClient ? 1u : 2u;
        _openSlots = new SemaphoreSlim(options.AcceptBacklog, options.AcceptBacklog);
        _deferredWake = DeferredWake.TryStart(() => _writerSignal.SetInline());
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

    /// <summary>True while the session keeps its write-loop waker's socket pair open (until both loops end).</summary>
    internal bool HoldsWakeSockets => _deferredWake is { IsDisposed: false };

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
        Close("disposed", _localGoAway ? null : GoAwayCode.Normal, graceful: true);
        await _completion.Task;
    }

    internal bool IsOurs(uint streamId) => (streamId & 1) == (_isClient ? 1u : 0u);

    /// <summary>Ends the session once with <paramref name="reason"/>; sends go-away with <paramref name="goAway"/> first when given.</summary>
    /// <remarks>A <paramref name="graceful"/> end still sends the FINs and RSTs streams have queued.</remarks>
    internal void Close(string reason, GoAwayCode? goAway, bool graceful = false)
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
        BeginWriterShutdown(goAway, graceful);
        _ = CloseTransportAfterGraceAsync();
    }

    internal void ProtocolError(string reason)
    {
        MuxLog.ProtocolError(_logger, reason);
        Close("protocol error: " + reason, GoAwayCode.ProtocolError);
    }

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
            _deferredWake?.Dispose();
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
