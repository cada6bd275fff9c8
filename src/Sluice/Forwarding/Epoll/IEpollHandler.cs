namespace Sluice.Forwarding.Epoll;

/// <summary>Something an <see cref="EpollLoop"/> drives: every call arrives on that loop's thread.</summary>
internal interface IEpollHandler
{
    /// <summary>The loop's slot for this handler while registered (see <see cref="EpollLoop.Register"/>).</summary>
    EpollSlot Slot { get; set; }

    /// <summary>Readiness of one of the handler's descriptors; <paramref name="tag"/> says which (0 or 1).</summary>
    void OnEvents(uint events, int tag);

    /// <summary>The handler was posted to the loop from another thread (<see cref="EpollLoop.Post"/>).</summary>
    void OnPosted();
}
