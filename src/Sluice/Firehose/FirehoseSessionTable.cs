using System.Collections.Concurrent;
using System.Net;

namespace Sluice.Firehose;

/// <summary>
/// The sessions of one firehose by id, and the stale ones in the order they went stale (oldest
/// first), for reaping and for evicting the oldest past max_stale_clients. Lookups by id are
/// lock-free (the master link routes every message through one); the stale list has its own
/// lock, taken before a session's lock and never after it.
/// </summary>
internal sealed class FirehoseSessionTable
{
    private readonly ConcurrentDictionary<ulong, FirehoseSession> _sessions = new();
    private readonly LinkedList<FirehoseSession> _stale = [];
    private readonly Lock _staleLock = new();
    private long _lastId;

    /// <summary>Sessions not stale: connected, or new and finishing their handshake.</summary>
    public int LiveCount => Math.Max(0, _sessions.Count - StaleCount);

    public int StaleCount
    {
        get
        {
            lock (_staleLock)
            {
                return _stale.Count;
            }
        }
    }

    public int Count => _sessions.Count;

    /// <summary>A new live session with the next id (ids are sequential and never reused within a run).</summary>
    public FirehoseSession Create(byte[] sessionKey, IPEndPoint remote)
    {
        var session = new FirehoseSession((ulong)Interlocked.Increment(ref _lastId), sessionKey, remote);
        _sessions[session.Id] = session;
        return session;
    }

    public bool TryGet(ulong id, out FirehoseSession session) => _sessions.TryGetValue(id, out session!);

    public IEnumerable<FirehoseSession> All => _sessions.Values;

    public long QueuedMessages()
    {
        long total = 0;
        foreach (var session in _sessions.Values)
        {
            total += session.Queued;
        }

        return total;
    }

    /// <summary>
    /// Files a session that just went stale. Returns the sessions pushed out by
    /// max_stale_clients (already closed; the caller fails them to the master).
    /// </summary>
    public List<FirehoseSession>? AddStale(FirehoseSession session, int maxStale)
    {
        List<FirehoseSession>? evicted = null;
        lock (_staleLock)
        {
            session.StaleNode = _stale.AddLast(session);
            while (_stale.Count > maxStale && _stale.First is { } oldest)
            {
                _stale.RemoveFirst();
                oldest.Value.StaleNode = null;
                if (oldest.Value.TryCloseStale(cutoff: null))
                {
                    (evicted ??= []).Add(oldest.Value);
                }
            }
        }

        if (evicted is not null)
        {
            foreach (var session1 in evicted)
            {
                _sessions.TryRemove(session1.Id, out _);
            }
        }

        return evicted;
    }

    /// <summary>A resumed session leaves the stale list and counts as live again.</summary>
    public void Resumed(FirehoseSession session)
    {
        lock (_staleLock)
        {
            if (session.StaleNode is { } node)
            {
                _stale.Remove(node);
                session.StaleNode = null;
            }
        }
    }

    /// <summary>
    /// A resume failed: the session is stale again, and back in the stale list if eviction
    /// passed over it meanwhile (it keeps its stale time, so it still expires on schedule).
    /// </summary>
    public void ResumeFailed(FirehoseSession session)
    {
        session.Unclaim();
        lock (_staleLock)
        {
            if (session.StaleNode is null && session.State == SessionState.Stale)
            {
                session.StaleNode = _stale.AddLast(session);
            }
        }
    }

    /// <summary>Removes a session for good.</summary>
    public void Remove(FirehoseSession session)
    {
        if (!_sessions.TryRemove(new KeyValuePair<ulong, FirehoseSession>(session.Id, session)))
        {
            return;
        }

        lock (_staleLock)
        {
            if (session.StaleNode is { } node)
            {
                _stale.Remove(node);
                session.StaleNode = null;
            }
        }
    }

    /// <summary>Closes and removes the sessions stale since before <paramref name="cutoff"/>; returns them.</summary>
    public List<FirehoseSession> Reap(long cutoff)
    {
        var expired = new List<FirehoseSession>();
        lock (_staleLock)
        {
            var node = _stale.First;
            while (node is not null)
            {
                var next = node.Next;
                var session = node.Value;
                if (session.State == SessionState.Stale && session.StaleSince > cutoff)
                {
                    // The list is in stale order: everything after this one is younger.
                    break;
                }

                if (session.TryCloseStale(cutoff))
                {
                    _stale.Remove(node);
                    session.StaleNode = null;
                    expired.Add(session);
                }

                node = next;
            }
        }

        foreach (var session in expired)
        {
            _sessions.TryRemove(session.Id, out _);
        }

        return expired;
    }
}
