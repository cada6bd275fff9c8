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
                return s_shared ??= new EpollLoopGroup(Math.Max(1, Environment.ProcessorCount), s_logger);
            }
        }
    }

    public IReadOnlyList<EpollLoop> Loops => _loops;

    public EpollLoop Next() => _loops[Interlocked.Increment(ref _next) % (uint)_loops.Length];
}
