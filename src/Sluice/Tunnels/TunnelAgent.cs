using System.Net;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Forwarding;
using Sluice.Multiplexing;
using Sluice.Protocols.Tunnels;
using Sluice.Transport;

namespace Sluice.Tunnels;

/// <summary>
/// The agent (`sluice agent`): keeps one multiplexed connection to the server, reconnecting with
/// jittered exponential backoff, registers its reverse tunnels after every (re)connect, serves the
/// streams the server opens, and runs the local forward listeners (SOCKS5 or fixed targets) whose
/// connections go out as streams over whatever session is current.
/// </summary>
internal sealed partial class TunnelAgent : IAsyncDisposable
{
    /// <summary>What the inspector's ring may hold in all, bodies and headers, whatever inspect_max_requests allows.</summary>
    public const long InspectorMaxBytes = 64L * 1024 * 1024;

    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _muxLogger;
    private readonly ServerCertificateValidator _validator;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpListenerLoop> _forwardListeners = [];
    private volatile MuxSession? _session;
    private volatile Stream? _transport;
    private volatile TaskCompletionSource<IReadOnlyList<TunnelResult>> _registered = NewRegistered();
    private Task? _loop;
    private int _disposed;

    public TunnelAgent(AgentConfig config, ILoggerFactory loggers)
    {
        Config = config;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Sluice.Agent");
        if (config.Inspect is not null)
        {
            InspectorStore = new Inspection.InspectorStore(config.InspectMaxRequests, InspectorMaxBytes);
        }

        _muxLogger = loggers.CreateLogger("Sluice.Multiplexing");
        _validator = ServerCertificateValidator.Create(config.ServerFingerprint, config.CaFile);
    }

    public AgentConfig Config { get; }

    public MuxOptions MuxOptions { get; init; } = new();

    /// <summary>User connections through this agent (forward and reverse), for shutdown.</summary>
    public ConnectionRegistry Connections { get; } = new();

    /// <summary>The session in use, or null while (re)connecting.</summary>
    internal MuxSession? Session => _session;

    /// <summary>Sessions established so far (1 after the first connect).</summary>
    public int Sessions { get; private set; }

    /// <summary>The last fatal reason the server gave (e.g. "authentication failed"), for tests and the CLI.</summary>
    public string? LastServerError { get; private set; }

    /// <summary>Bound endpoints of the forward listeners, in config order.</summary>
    public IReadOnlyList<IPEndPoint> ForwardEndpoints => [.. _forwardListeners.Select(l => l.LocalEndPoint)];

    /// <summary>The HTTP tunnels' results of the last registration (empty without HTTP tunnels); set before <see cref="RegisteredAsync"/> completes.</summary>
    public IReadOnlyList<HttpTunnelResult> HttpTunnels { get; private set; } = [];

    /// <summary>The inspector's ring of recent HTTP exchanges; null without [agent] inspect.</summary>
    public Inspection.InspectorStore? InspectorStore { get; }

    /// <summary>The inspector's web page and API, once started; null without [agent] inspect.</summary>
    internal Inspection.InspectorServer? Inspector { get; private set; }

    /// <summary>Completes with the server's answer to the next registration.</summary>
    public Task<IReadOnlyList<TunnelResult>> RegisteredAsync => _registered.Task;

    /// <summary>Binds the forward listeners and the inspector (throws if one cannot bind) and starts connecting.</summary>
    public void Start()
    {
        if (Config.Inspect is { } inspect)
        {
            Inspector = new Inspection.InspectorServer(inspect, InspectorStore!, ReplayTargetOf, Config.InspectBodyBytes, _loggers);
            Inspector.StartAsync(_stopping.Token).GetAwaiter().GetResult();
        }

        foreach (var forward in Config.Forwards)
        {
            var handler = new ForwardListener(this, forward, _logger);
            var listener = TcpListenerLoop.Bind(forward.Listen, handler, _logger, forward.Describe());
            _forwardListeners.Add(listener);
        }

        foreach (var listener in _forwardListeners)
        {
            listener.Start();
            TunnelLog.AgentForwardListening(_logger, $"{listener.Owner} (on {listener.LocalEndPoint})");
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>Drops the connection to the server without a goodbye, as a crash or a network cut would (tests).</summary>
    internal void AbortConnection()
    {
        if (_transport is { } transport)
        {
            transport.Dispose();
        }
    }

    /// <summary>A stream to the server for a forward connection; null when there is no session.</summary>
    internal async ValueTask<MuxStream?> OpenStreamAsync(CancellationToken cancellationToken)
    {
        if (_session is not { } session)
        {
            return null;
        }

        try
        {
            return await session.OpenStreamAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return null;
        }
    }

    internal CancellationToken Stopping => _stopping.Token;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var listener in _forwardListeners)
        {
            await listener.DisposeAsync();
        }

        if (_session is { } session)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await session.GoAwayAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
            }

            await session.DisposeAsync();
        }

        if (_loop is not null)
        {
            await _loop;
        }

        Connections.AbortAll(CloseReason.Shutdown);
        Connections.Dispose();
        if (Inspector is { } inspector)
        {
            await inspector.DisposeAsync();
        }
    }

    /// <summary>Where a replay of an exchange of tunnel <paramref name="name"/> goes: its local service, with the Host the edge would send.</summary>
    private Inspection.ReplayTarget? ReplayTargetOf(string name) =>
        Config.Exposes.FirstOrDefault(e => e.IsHttp && e.Name == name) is { } expose ? new Inspection.ReplayTarget(expose.Local, expose.HostHeader) : null;

    private static TaskCompletionSource<IReadOnlyList<TunnelResult>> NewRegistered() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        var attempt = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var started = Environment.TickCount64;
            string reason;
            try
            {
                reason = await RunSessionAsync();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ControlErrorException ex)
            {
                reason = ex.Message;
                LastServerError = ex.Message;
                if (ex.Code == ControlErrorCode.AuthenticationFailed)
                {
                    TunnelLog.AgentRejected(_logger, ex.Message);
                }
            }
            catch (Exception ex) when (ex is IOException or EndOfStreamException or ControlProtocolException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
            {
                reason = ex.Message;
            }
            catch (Exception ex)
            {
                TunnelLog.AgentUnexpected(_logger, ex);
                reason = ex.Message;
            }

            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            // A session that lasted a while resets the backoff: the next failure is a new incident.
            attempt = Environment.TickCount64 - started > 30_000 ? 1 : attempt + 1;
            var delay = Backoff(attempt);
            TunnelLog.AgentRetrying(_logger, Config.Server, reason, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Full jitter: a random delay up to min(max, min × 2^attempt), so agents cut off together do not return together.</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(Config.ReconnectMaxDelay.TotalMilliseconds, Config.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        var floor = Config.ReconnectMinDelay.TotalMilliseconds / 2;
        return TimeSpan.FromMilliseconds(floor + (Random.Shared.NextDouble() * Math.Max(0, ceiling - floor)));
    }
}
