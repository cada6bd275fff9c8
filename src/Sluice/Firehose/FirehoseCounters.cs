using System.Collections.Concurrent;

namespace Sluice.Firehose;

/// <summary>
/// One firehose's numbers. Per-message counts are plain interlocked fields (added once per read
/// batch), read by observable instruments at scrape time; rare events are keyed by reason.
/// </summary>
internal sealed class FirehoseCounters
{
    private long _messagesIn;
    private long _bytesIn;
    private long _messagesOut;
    private long _bytesOut;
    private long _masterReconnects;

    /// <summary>Client → master messages.</summary>
    public long MessagesIn => Volatile.Read(ref _messagesIn);

    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Master → client messages.</summary>
    public long MessagesOut => Volatile.Read(ref _messagesOut);

    public long BytesOut => Volatile.Read(ref _bytesOut);

    public long MasterReconnects => Volatile.Read(ref _masterReconnects);

    /// <summary>Handshakes by (kind, result): kind new|resume, result ok or a close reason.</summary>
    public ConcurrentDictionary<(string Kind, string Result), long> Handshakes { get; } = new();

    /// <summary>Connections the gateway closed, by reason.</summary>
    public ConcurrentDictionary<string, long> Closed { get; } = new(StringComparer.Ordinal);

    /// <summary>0x01 failures sent to the master, by reason.</summary>
    public ConcurrentDictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);

    public void AddIn(int messages, long bytes)
    {
        Interlocked.Add(ref _messagesIn, messages);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    public void AddOut(int messages, long bytes)
    {
        Interlocked.Add(ref _messagesOut, messages);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    public void MasterReconnected() => Interlocked.Increment(ref _masterReconnects);

    public void Handshake(string kind, string result) => Handshakes.AddOrUpdate((kind, result), 1, static (_, n) => n + 1);

    public void Close(string reason) => Closed.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    public void Failure(string reason) => Failures.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    public long ClosedFor(string reason) => Closed.TryGetValue(reason, out var n) ? n : 0;

    public long HandshakesFor(string kind, string result) => Handshakes.TryGetValue((kind, result), out var n) ? n : 0;
}
