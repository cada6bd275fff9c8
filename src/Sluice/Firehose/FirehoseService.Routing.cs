using System.Buffers;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>Master → client routing; runs on the master link's receive loop only, in packet order.</summary>
internal sealed partial class FirehoseService
{
    /// <summary>Routes one packet from the master (called on the master link's receive loop, in order).</summary>
    public void FromMaster(ulong id, TaggedFlags flags, ReadOnlyMemory<byte> data)
    {
        switch (flags)
        {
            case TaggedFlags.Data:
                Deliver(id, data.Span);
                break;
            case TaggedFlags.Kick:
                if (Sessions.TryGet(id, out var session))
                {
                    var connection = session.Close();
                    Sessions.Remove(session);
                    connection?.Abort(CloseReasons.Kicked);
                }

                break;
            case TaggedFlags.Broadcast when MasterEvents:
                Broadcast(new ReadOnlySequence<byte>(data));
                break;
            default:
                FirehoseLog.MasterUnknownFlag(_logger, Name, (byte)flags, id);
                break;
        }
    }

    private void Deliver(ulong id, ReadOnlySpan<byte> message)
    {
        if (!Sessions.TryGet(id, out var session))
        {
            SendFailure(id, FailureReasons.NotFound);
            return;
        }

        switch (session.Enqueue(message, Config.ClientQueue, Config.MissedMessages))
        {
            case EnqueueResult.Queued:
                if (!session.Dirty)
                {
                    session.Dirty = true;
                    _dirty.Add(session);
                }

                break;
            case EnqueueResult.Closed:
                SendFailure(id, FailureReasons.NotFound);
                break;
            case EnqueueResult.QueueOverflow:
                Fail(session, FailureReasons.QueueOverflow);
                break;
            case EnqueueResult.NoBuffer:
                Fail(session, FailureReasons.Disconnected);
                break;
            case EnqueueResult.MissedOverflow:
                Fail(session, FailureReasons.MissedOverflow);
                break;
        }
    }

    /// <summary>End of one master read: each client that got messages in it is sent them now, in one write.</summary>
    public void FlushDeliveries()
    {
        foreach (var session in _dirty)
        {
            session.Flush();
        }

        _dirty.Clear();
    }

    private void Broadcast(in ReadOnlySequence<byte> data)
    {
        if (!TaggedPacket.TryParseBroadcast(data, out var ids, out var count, out var message))
        {
            FirehoseLog.MasterUnknownFlag(_logger, Name, (byte)TaggedFlags.Broadcast, 0);
            return;
        }

        // One segment: the sequence wraps the master link's receive buffer.
        var bytes = message.FirstSpan;
        if (count == 0)
        {
            foreach (var session in Sessions.All)
            {
                if (session.State == SessionState.Live)
                {
                    Deliver(session.Id, bytes);
                }
            }

            return;
        }

        var reader = new SequenceReader<byte>(ids);
        while (reader.TryReadLittleEndian(out long id))
        {
            Deliver((ulong)id, bytes);
        }
    }
}
