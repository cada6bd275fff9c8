using Sluice.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>Many streams opened from both sides, finished, reset or abandoned at random: nothing leaks.</summary>
public sealed class MuxChurnTests
{
    [Fact]
    public async Task After_a_churn_of_streams_every_count_and_reservation_returns_to_zero()
    {
        var options = new MuxOptions { StreamWindow = 512 * 1024, MaxSessionBuffer = 16 * 1024 * 1024 };
        await using var pair = MuxPair.Create(options, options);
        var clientServe = ServeAsync(pair.Client);
        var serverServe = ServeAsync(pair.Server);

        var intact = 0;
        var echoes = 0;
        var work = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var random = new Random(i);
            var session = i % 2 == 0 ? pair.Client : pair.Server;
            await using var stream = await session.OpenStreamAsync(TestTimeout.Token);
            var data = StreamData.Pattern(random.Next(1, 300_000), seed: i);
            var mode = random.Next(4);
            try
            {
                await stream.WriteAsync(new[] { (byte)mode }, TestTimeout.Token);
                switch (mode)
                {
                    case 0:
                    case 1:
                        // Echo round trip with half-close.
                        Interlocked.Increment(ref echoes);
                        var send = Task.Run(async () =>
                        {
                            await StreamData.WriteInChunksAsync(stream, data, random.Next(1, 40_000), TestTimeout.Token);
                            await stream.CompleteWritesAsync();
                        });
                        var echoed = await StreamData.ReadToEndAsync(stream, TestTimeout.Token);
                        await send;
                        if (StreamData.Hash(echoed) == StreamData.Hash(data))
                        {
                            Interlocked.Increment(ref intact);
                        }

                        break;
                    case 2:
                        // Reset in the middle of sending.
                        await stream.WriteAsync(data.AsMemory(0, data.Length / 2), TestTimeout.Token);
                        stream.Reset();
                        break;
                    default:
                        // Abandon: dispose with the echo unread.
                        await stream.WriteAsync(data, TestTimeout.Token);
                        await Task.Delay(random.Next(5));
                        break;
                }
            }
            catch (MuxException)
            {
                // A reset reached a write or read still in progress; expected in modes 2 and 3.
                Assert.True(mode >= 2, "an echo stream failed");
            }
        })).ToArray();

        await Task.WhenAll(work).WaitAsync(TestTimeout.Value);

        Assert.True(echoes > 0);
        Assert.Equal(echoes, intact);
        await Poll.UntilAsync(
            () => pair.Client.OpenStreams == 0 && pair.Server.OpenStreams == 0
                && pair.Client.BufferedBytes == 0 && pair.Server.BufferedBytes == 0
                && pair.Client.ReceiveWindowBytes == 0 && pair.Server.ReceiveWindowBytes == 0,
            "every stream to be gone with its buffers and window reservation");
        Assert.Null(pair.Client.CloseReason);
        Assert.Null(pair.Server.CloseReason);
        _ = clientServe;
        _ = serverServe;
    }

    /// <summary>Accepts streams: mode 2 (reset by the opener) is only read, the others are echoed.</summary>
    private static async Task ServeAsync(MuxSession session)
    {
        while (await session.AcceptStreamAsync(CancellationToken.None) is { } stream)
        {
            _ = Task.Run(async () =>
            {
                await using var s = stream;
                try
                {
                    var mode = new byte[1];
                    await s.ReadExactlyAsync(mode);
                    if (mode[0] != 2)
                    {
                        await s.CopyToAsync(s);
                        await s.CompleteWritesAsync();
                    }
                    else
                    {
                        await s.CopyToAsync(Stream.Null);
                    }
                }
                catch (Exception ex) when (ex is MuxException or EndOfStreamException)
                {
                }
            });
        }
    }
}
