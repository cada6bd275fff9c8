using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// One event loop thread over one epoll instance: the descriptors of the connections it owns are
/// read and written only on this thread, straight from the readiness events, with no thread-pool
/// hop, no per-connection async machinery and one shared receive buffer.
/// </summary>
/// <remarks>
/// Level-triggered: a connection registers EPOLLIN only while it can forward what it reads, and
/// EPOLLOUT only while it holds bytes its peer would not take, so an idle or a flowing connection
/// costs no epoll_ctl calls. Other threads hand work in through <see cref="Post"/> (a queue plus
/// an eventfd wake-up, written once per batch).
/// </remarks>
internal sealed unsafe partial class EpollLoop
{
    public const int BufferSize = 64 * 1024;
    private const int MaxEvents = 256;
    private const ulong WakeData = ulong.MaxValue;
    private const int DeadlineTickMs = 10;
    private const int TimeOutTag = -2;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly ConcurrentQueue<IEpollHandler> _posted = new();
    private readonly ILogger _logger;
    private IEpollHandler?[] _slots = new IEpollHandler?[1024];
    private readonly Stack<int> _free = new();
    private int _used;
    private uint _generation;
    private int _wakePending;
    private readonly List<EpollConnect> _connecting = [];

    [ThreadStatic]
    private static EpollLoop? t_current;

    public EpollLoop(int index, ILogger logger)
    {
        _logger = logger;
        _epoll = LibC.EpollCreate1(LibC.EpollCloexec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {LibC.LastError}");
        }

        _wakeFd = LibC.EventFd(0, LibC.EfdCloexec | LibC.EfdNonblock);
        if (_wakeFd < 0)
        {
            throw new IOException($"eventfd failed: errno {LibC.LastError}");
        }

        var ev = stackalloc byte[16];
        EpollEventLayout.Write(ev, LibC.EpollIn, WakeData);
        if (LibC.EpollCtl(_epoll, LibC.EpollCtlAdd, _wakeFd, ev) != 0)
        {
            throw new IOException($"epoll_ctl(eventfd) failed: errno {LibC.LastError}");
        }

        Buffer = (byte*)NativeMemory.AlignedAlloc(BufferSize, 64);
        var thread = new Thread(Run) { IsBackground = true, Name = $"sluice-epoll-{index}" };
        thread.UnsafeStart();
    }

    /// <summary>The loop's receive buffer: bytes are read into it and written on at once, so only a
    /// connection whose peer is slow ever holds a buffer of its own.</summary>
    public byte* Buffer { get; }

    /// <summary>Runs <see cref="IEpollHandler.OnPosted"/> on the loop thread soon. Safe from any thread.</summary>
    public void Post(IEpollHandler handler)
    {
        _posted.Enqueue(handler);

        // On the loop thread itself (e.g. a connect's continuation starting its pair) the queue is
        // drained at the end of this turn anyway: no wake-up needed.
        if (t_current != this && Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            LibC.Write(_wakeFd, &one, sizeof(ulong));
        }
    }

    /// <summary>Gives <paramref name="handler"/> a slot. Loop thread only.</summary>
    public void Register(IEpollHandler handler)
    {
        int index;
        if (_free.Count > 0)
        {
            index = _free.Pop();
        }
        else
        {
            if (_used == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }

            index = _used++;
        }

        _slots[index] = handler;
        _generation = (_generation + 1) & 0x7FFF_FFFF;
        handler.Slot = new EpollSlot(index, _generation);
    }

    /// <summary>Frees the handler's slot; events already queued for it are dropped. Loop thread only.</summary>
    public void Unregister(IEpollHandler handler)
    {
        var slot = handler.Slot;
        if (slot.IsNone)
        {
            return;
        }

        _slots[slot.Index] = null;
        _free.Push(slot.Index);
        handler.Slot = EpollSlot.None;
    }

    /// <summary>Times <paramref name="connect"/> out at its deadline unless it finished first. Loop thread only.</summary>
    public void TrackDeadline(EpollConnect connect) => _connecting.Add(connect);

    /// <summary>Changes what <paramref name="fd"/> is watched for, from <paramref name="previous"/> to
    /// <paramref name="wanted"/>; 0 means not in the epoll set at all. Returns false (errno set) on failure.</summary>
    public bool Watch(int fd, uint previous, uint wanted, IEpollHandler handler, int tag)
    {
        if (previous == wanted)
        {
            return true;
        }

        var ev = stackalloc byte[16];
        EpollEventLayout.Write(ev, wanted, handler.Slot.Data(tag));
        var op = previous == 0 ? LibC.EpollCtlAdd : wanted == 0 ? LibC.EpollCtlDel : LibC.EpollCtlMod;
        return LibC.EpollCtl(_epoll, op, fd, ev) == 0;
    }

    private void Run()
    {
        t_current = this;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EpollEventLayout.Size));
        while (true)
        {
            // Pending connects are timed by waking at least every DeadlineTickMs, not by a timer each.
            var count = LibC.EpollWait(_epoll, events, MaxEvents, _connecting.Count > 0 ? DeadlineTickMs : -1);
            if (count < 0)
            {
                if (LibC.LastError != LibC.EIntr)
                {
                    LogWaitFailed(_logger, LibC.LastError);
                    Thread.Sleep(10);
                }

                continue;
            }

            for (var i = 0; i < count; i++)
            {
                var data = EpollEventLayout.Data(events, i);
                if (data == WakeData)
                {
                    ulong value;
                    LibC.Read(_wakeFd, &value, sizeof(ulong));
                    continue;
                }

                var (index, tag, generation) = EpollSlot.Decode(data);
                var handler = (uint)index < (uint)_slots.Length ? _slots[index] : null;
                if (handler is null || handler.Slot.Generation != generation)
                {
                    continue;
                }

                Dispatch(handler, EpollEventLayout.Events(events, i), tag);
            }

            if (_connecting.Count > 0)
            {
                ExpireConnects();
            }

            // Reset the flag before draining: a Post racing with the drain then wakes us again.
            Volatile.Write(ref _wakePending, 0);
            while (_posted.TryDequeue(out var posted))
            {
                Dispatch(posted, 0, -1);
            }
        }
    }

    private void ExpireConnects()
    {
        var now = Environment.TickCount64;
        for (var i = _connecting.Count - 1; i >= 0; i--)
        {
            var connect = _connecting[i];
            if (!connect.Finished && now >= connect.Deadline)
            {
                Dispatch(connect, 0, TimeOutTag);
            }

            if (connect.Finished)
            {
                _connecting[i] = _connecting[^1];
                _connecting.RemoveAt(_connecting.Count - 1);
            }
        }
    }

    private void Dispatch(IEpollHandler handler, uint events, int tag)
    {
        // A handler's bug must not take the loop, and every connection on it, down with it.
        try
        {
            if (tag == TimeOutTag)
            {
                ((EpollConnect)handler).TimeOut();
            }
            else if (tag < 0)
            {
                handler.OnPosted();
            }
            else
            {
                handler.OnEvents(events, tag);
            }
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, ex);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "epoll_wait failed with errno {Errno}")]
    private static partial void LogWaitFailed(ILogger logger, int errno);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "a connection handler failed on the event loop")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
