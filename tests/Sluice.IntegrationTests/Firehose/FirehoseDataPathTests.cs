using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sluice.Client;
using Sluice.Configuration;
using Sluice.Firehose;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Protocols.Firehose;

namespace Sluice.IntegrationTests.Firehose;

/// <summary>
/// What the client data path (the epoll engine by default on Linux) must guarantee under
/// awkward timing: frames cut anywhere, clients and masters that stop reading.
/// </summary>
public sealed class FirehoseDataPathTests
{
    [Fact]
    public async Task FramesSplitIntoTinyWrites_ReachTheMasterIntact_AndInOrder()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        using var client = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);
        var messages = Enumerable.Range(0, 40).Select(i => Message(i, (i * 397) % 5000)).ToList();
        var stream = messages.SelectMany(m => Frame(m)).ToArray();

        // 1 to 7 bytes per write, NoDelay: the gateway sees prefixes and payloads cut everywhere.
        for (int offset = 0, size = 1; offset < stream.Length; offset += size, size = (size % 7) + 1)
        {
            await client.Socket.SendAsync(stream.AsMemory(offset, Math.Min(size, stream.Length - offset)), SocketFlags.None);
        }

        foreach (var expected in messages)
        {
            var received = await bed.NextAsync(FirehoseEventKind.Message);
            Assert.Equal(client.ClientId, received.ClientId);
            Assert.Equal(expected, received.Data.ToArray());
        }
    }

    [Fact]
    public async Task ClientThatReadsLate_GetsEveryQueuedMessage_InOrder()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        using var client = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);

        // 24 MiB: more than the socket buffers hold, less than client_queue (8192 messages).
        const int count = 3000;
        for (var i = 0; i < count; i++)
        {
            await bed.Master.SendAsync(client.ClientId, Message(i, 8192));
        }

        Assert.True(bed.Service.Sessions.TryGet(client.ClientId, out var session));
        await Poll.UntilAsync(() => session.Queued > 0, "messages wait in the gateway for the client");
        for (var i = 0; i < count; i++)
        {
            var frame = await client.ReadFrameAsync().WaitAsync(Poll.DefaultTimeout);
            Assert.True(frame is not null, $"message {i} of {count}: the connection closed");
            Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(frame));
            Assert.Equal(8192, frame.Length);
        }

        await Poll.UntilAsync(() => session.Queued == 0, "the queue drains");
        Assert.Equal(0, bed.Service.Counters.Failures.Values.Sum());
    }

    [Fact]
    public async Task MasterThatStopsReading_PausesClients_WithBoundedMemory_ThenTheirMessagesArriveInOrder()
    {
        using var master = new TcpListener(IPAddress.Loopback, 0);
        master.Start();
        var config = new FirehoseConfig
        {
            Name = "f",
            Listen = [TestGateway.Loopback0],
            Master = new HostPort("127.0.0.1", ((IPEndPoint)master.LocalEndpoint).Port),
        };
        await using var gateway = await TestGateway.StartAsync(new SluiceConfig { Firehoses = [config] });
        using var link = await master.AcceptSocketAsync().WaitAsync(Poll.DefaultTimeout);
        var service = gateway.Gateway.Firehose("f")!;

        // Two clients send 40 MiB each while the master reads nothing: far more than the outbox
        // and every socket buffer on the way can hold.
        const int count = 1280;
        const int size = 32 * 1024;
        var clients = new[] { await RawFirehoseClient.ConnectNewAsync(gateway.EndPoint("f")), await RawFirehoseClient.ConnectNewAsync(gateway.EndPoint("f")) };
        var sending = clients.Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await c.SendMessageAsync(Message(i, size));
            }
        })).ToArray();

        await Poll.UntilAsync(() => service.Master.Outbox.PendingBytes >= MasterLink.OutboxHighWater, "the outbox fills up");
        var bound = MasterLink.OutboxHighWater + (2 * (size + 64 * 1024));
        for (var i = 0; i < 10; i++)
        {
            Assert.InRange(service.Master.Outbox.PendingBytes, 0, bound);
            await Task.Delay(20);
        }

        Assert.False(sending.All(s => s.IsCompleted), "the clients are held back rather than buffered");

        // The master reads again: everything arrives, each client's messages in the order sent.
        var next = clients.ToDictionary(c => c.ClientId, _ => 0);
        using var stream = new NetworkStream(link);
        var header = new byte[TaggedPacket.FrameOverhead];
        while (next.Values.Any(n => n < count))
        {
            await stream.ReadExactlyAsync(header).AsTask().WaitAsync(Poll.DefaultTimeout);
            var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header) - TaggedPacket.HeaderSize];
            await stream.ReadExactlyAsync(payload).AsTask().WaitAsync(Poll.DefaultTimeout);
            if (header[^1] != (byte)TaggedFlags.Data)
            {
                continue;
            }

            var id = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(Framing.HeaderSize));
            Assert.Equal(next[id]++, BinaryPrimitives.ReadInt32LittleEndian(payload));
            Assert.Equal(size, payload.Length);
        }

        await Task.WhenAll(sending).WaitAsync(Poll.DefaultTimeout);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    /// <summary>A message of <paramref name="size"/> bytes (at least 4) that starts with its number.</summary>
    private static byte[] Message(int number, int size)
    {
        var message = new byte[Math.Max(4, size)];
        BinaryPrimitives.WriteInt32LittleEndian(message, number);
        for (var i = 4; i < message.Length; i++)
        {
            message[i] = (byte)(number + i);
        }

        return message;
    }

    private static byte[] Frame(byte[] message)
    {
        var frame = new byte[Framing.HeaderSize + message.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)message.Length);
        message.CopyTo(frame, Framing.HeaderSize);
        return frame;
    }

    [Fact]
    public async Task Stopping_while_the_master_dial_hangs_does_not_wait_for_the_connect_timeout()
    {
        // A listener whose accept queue is full: the kernel drops further SYNs, so a dial to it
        // hangs until its own timeout (5 s), as with a master behind a firewall that drops packets.
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackhole.Listen(0);
        var port = ((IPEndPoint)blackhole.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        for (var i = 0; i < 3; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(blackhole.LocalEndPoint!, quick.Token);
            }
            catch (OperationCanceledException)
            {
                break; // the queue is full
            }
        }

        try
        {
            var gateway = await TestGateway.StartAsync(new SluiceConfig
            {
                Firehoses = [new FirehoseConfig { Name = "f", Listen = [TestGateway.Loopback0], Master = new HostPort("127.0.0.1", port) }],
            });
            await Task.Delay(300); // the gateway is now inside its dial

            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await gateway.DisposeAsync();

            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(4), $"stopping took {stopping.Elapsed.TotalSeconds:0.0} s: it waited for the master dial's timeout");
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }
}
