namespace Sluice.Multiplexing;

/// <summary>The session's window budget and buffered-bytes bound (docs/protocols/tunnel.md, "Session memory bound").</summary>
internal sealed partial class MuxSession
{
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
}
