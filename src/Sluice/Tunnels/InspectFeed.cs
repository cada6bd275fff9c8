using System.Threading.Channels;
using Sluice.Multiplexing;
using Sluice.Protocols.Tunnels;
using Sluice.Tunnels.Inspection;

namespace Sluice.Tunnels;

/// <summary>
/// Server side of an agent's inspect stream: exchanges the edge captured go to the agent's
/// inspector in order, on one stream of their own, apart from the data. A slow agent never slows
/// a request: past <see cref="Backlog"/> waiting records, new ones are dropped (and counted).
/// </summary>
internal sealed class InspectFeed(Action dropped)
{
    public const int Backlog = 256;

    private readonly Channel<ExchangeRecord> _records = Channel.CreateBounded<ExchangeRecord>(new BoundedChannelOptions(Backlog)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    /// <summary>Queues <paramref name="record"/> for the agent; a full backlog (or a closed feed) drops it and counts the drop.</summary>
    public void Post(ExchangeRecord record)
    {
        // With FullMode.Wait, TryWrite fails (never blocks) when the backlog is full.
        if (!_records.Writer.TryWrite(record))
        {
            dropped();
        }
    }

    /// <summary>Opens the stream and sends until the session ends; returns why it stopped.</summary>
    public async Task<string> RunAsync(MuxSession mux, CancellationToken cancellationToken)
    {
        MuxStream? stream = null;
        try
        {
            stream = await mux.OpenStreamAsync(cancellationToken);
            await stream.WriteAsync(StreamHeader.Inspect().ToArray(), cancellationToken);
            await foreach (var record in _records.Reader.ReadAllAsync(cancellationToken))
            {
                if (InspectFrames.Encode(record) is { } frame)
                {
                    await stream.WriteAsync(frame, cancellationToken);
                }
                else
                {
                    dropped();
                }
            }

            return "session ended";
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return cancellationToken.IsCancellationRequested ? "session ended" : ex.Message;
        }
        finally
        {
            _records.Writer.TryComplete();
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
