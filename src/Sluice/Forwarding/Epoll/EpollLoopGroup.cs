using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// The process's event loops, one per core, started on first use and kept for the process's
/// life. New connections are spread round-robin.
/// </summary>
internal sealed class EpollLoopGroup
{
    /// <summary>Environment variable that picks the proxy engine: "epoll" (default on Linux) or "sockets".</summary>
    public const string EngineVariable = "SLUICE_PROXY_ENGINE";

    private static readonly Lock s_lock = new();
    private static EpollLoopGroup? s_shared;
    private static ILogger s_logger = NullLogger.Instance;

    private readonly EpollLoop[] _loops;
    private uint _next;

    private EpollLoopGroup(int count, ILogger logger)
    {
        _loops = new EpollLoop[count];
        for (var i = 0; i < count; i++)
        {
            _loops[i] = new EpollLoop(i, logger);
        }
    }

    /// <summary>True on Linux unless SLUICE_PROXY_ENGINE=sockets asks for the portable Socket pump.</summary>
    public static bool IsEnabled { get; } =
        OperatingSystem.IsLinux() &&
        !string.Equals(Environment.GetEnvironmentVariable(EngineVariable), "sockets", StringComparison.OrdinalIgnoreCase);

    /// <summary>Environment variable overriding the number of loops (default: one per core).</summary>
    public const string LoopsVariable = "SLUICE_EPOLL_LOOPS";

    /// <summary>How many loops the engine runs: SLUICE_EPOLL_LOOPS, else one per core.</summary>
    public static int LoopCount { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(LoopsVariable), out var loops) && loops is > 0 and <= 256
            ? loops
            : Math.Max(1, Environment.ProcessorCount);

    /// <summary>Where loop failures are logged; set once by the host before the first connection.</summary>
    public static void UseLogger(ILogger logger) => s_logger = logger;

    public static EpollLoopGroup Shared
    {
        get
        {
            if (Volatile.Read(ref s_shared) is { } group)
            {
                return group;
            }

            lock (s_lock)
            {
                return s_shared ??= new EpollLoopGroup(LoopCount, s_logger);
            }
        }
    }

    public IReadOnlyList<EpollLoop> Loops => _loops;

    public EpollLoop Next() => _loops[Interlocked.Increment(ref _next) % (uint)_loops.Length];
}
