using Sluice.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>
/// Small writes framed straight into the session's open batch, and readers woken on the read
/// loop's thread (docs/protocols/tunnel.md, "Sending: batching and fairness"): order, FIN and backpressure
/// must hold as they did when every write waited for the write loop.
/// </summary>
public sealed class MuxBatchingTests
{
    [Fact]
    public async Task Small_writes_then_FIN_on_many_streams_arrive_whole_and_in_order_while_the_transport_is_busy()
    {
        // A transport that takes 4 KiB at a time keeps the write loop in its write while the
        // streams frame their small writes (and FINs) into the next batch.
        await using var pair = MuxPair.Create(pauseBytes: 4 * 1024);
        const int Streams = 200;
        var received = Task.Run(async () =>
        {
            var reads = new List<Task<(uint Id, byte[] Data)>>();
            for (var i = 0; i < Streams; i++)
            {
                var stream = await pair.Server.AcceptStreamAsync(TestTimeout.Token);
                reads.Add(Task.Run(async () => (stream!.Id, await StreamData.ReadToEndAsync(stream, TestTimeout.Token))));
            }

            return await Task.WhenAll(reads);
        });

        var sent = await Task.WhenAll(Enumerable.Range(0, Streams).Select(i => Task.Run(async () =>
        {
            var stream = await pair.Client.OpenStreamAsync(TestTimeout.Token);
            var data = StreamData.Pattern(300 + i, seed: i);

            // Three small writes and the FIN at once: the FIN must not overtake data still
            // waiting in the next batch.
            for (var offset = 0; offset < data.Length; offset += 100)
            {
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(100, data.Length - offset)), TestTimeout.Token);
            }

            await stream.CompleteWritesAsync();
            return (stream.Id, Data: data);
        })));

        var byId = (await received).ToDictionary(r => r.Id, r => r.Data);
        Assert.All(sent, s => Assert.Equal(StreamData.Hash(s.Data), StreamData.Hash(byId[s.Id])));
        Assert.Null(pair.Server.CloseReason);
    }

    [Fact]
    public async Task A_stream_woken_inline_gets_its_bytes_in_order_and_its_end()
    {
        await using var pair = MuxPair.Create();
        var opened = await pair.Client.OpenStreamAsync(TestTimeout.Token);
        var accepted = await pair.Server.AcceptStreamAsync(TestTimeout.Token);
        accepted!.InlineWakeups = true;
        var data = StreamData.Pattern(2 * 1024 * 1024 + 5, seed: 9);

        var read = StreamData.ReadToEndAsync(accepted, TestTimeout.Token);
        await StreamData.WriteInChunksAsync(opened, data, 1_000, TestTimeout.Token);
        await opened.CompleteWritesAsync();

        Assert.Equal(StreamData.Hash(data), StreamData.Hash(await read));
    }

    [Fact]
    public async Task Small_writes_past_the_send_window_wait_for_the_reader()
    {
        await using var pair = MuxPair.Create();
        var (opened, accepted) = await pair.OpenAsync();
        var window = accepted.ReceiveWindow;
        var chunk = new byte[1_000];

        // Nobody reads: small writes go on until the window is spent, then one stays pending
        // (a write that finds the open batch full waits only for the write loop, briefly).
        var written = 0;
        Task pending;
        while (true)
        {
            pending = opened.WriteAsync(chunk, TestTimeout.Token).AsTask();
            if (await Task.WhenAny(pending, Task.Delay(300, TestTimeout.Token)) != pending || written > window)
            {
                break;
            }

            await pending;
            written += chunk.Length;
        }

        Assert.InRange(written, 1, window);
        Assert.False(pending.IsCompleted);

        var buffer = new byte[256 * 1024];
        var drained = 0;
        while (!pending.IsCompleted)
        {
            drained += await accepted.ReadAsync(buffer, TestTimeout.Token);
        }

        await pending;
        Assert.InRange(drained, 1, written + chunk.Length);
    }
}
