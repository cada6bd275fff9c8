using System.Net;
using System.Net.Sockets;
using Sluice.Configuration;
using Sluice.IntegrationTests.EndToEnd;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Tunnels;

public sealed class TunnelBackpressureTests
{
    [Fact]
    public async Task A_user_who_stops_reading_stalls_only_their_own_connection_and_the_server_buffers_a_bounded_amount()
    {
        await using var echo = new LoopbackEchoServer(IPAddress.Loopback);
        using var firehose = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        firehose.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        firehose.Listen(16);
        long produced = 0;
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            using var client = await firehose.AcceptAsync();
            var chunk = new byte[64 * 1024];
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    Interlocked.Add(ref produced, await client.SendAsync(chunk, SocketFlags.None, stop.Token));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
            }
        });

        var hosePort = TunnelHarness.FreePort();
        var echoPort = TunnelHarness.FreePort();
        await using var harness = await TunnelHarness.StartAsync([new PortRange(hosePort, hosePort), new PortRange(echoPort, echoPort)]);
        using var metrics = new MetricsProbe(harness.Gateway.Metrics.Meter);
        await harness.StartAgentAsync(harness.AgentConfig(
        [
            TunnelHarness.Expose("hose", hosePort, firehose.LocalEndPoint!.ToString()!),
            TunnelHarness.Expose("echo", echoPort, echo.Address),
        ]));

        // A user connects to the firehose and never reads.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stalled.ReceiveBufferSize = 64 * 1024;
        await stalled.ConnectAsync(IPAddress.Loopback, hosePort);
        long last = -1;
        var unchangedSince = Environment.TickCount64;
        await Poll.UntilAsync(
            () =>
            {
                var now = Interlocked.Read(ref produced);
                if (now != last)
                {
                    last = now;
                    unchangedSince = Environment.TickCount64;
                }

                return now > 0 && Environment.TickCount64 - unchangedSince > 1000;
            },
            "the producer is held back (nothing sent for a second) by the stalled reader",
            TimeSpan.FromSeconds(30));

        // What the producer got out sits in bounded places: kernel socket buffers, the stream's
        // window at the server, the agent's pump. Nowhere near the 64 MiB session bound.
        Assert.InRange(Interlocked.Read(ref produced), 1, 32L * 1024 * 1024);
        var buffered = metrics.Collect()[("sluice.tunnel.session.buffered", "agent=office")];
        Assert.InRange(buffered, 0, 17L * 1024 * 1024);

        // Meanwhile another user's connection through the same agent flows.
        for (var i = 0; i < 5; i++)
        {
            await ReverseTunnelTests.AssertEchoesAsync(echoPort, 1024 * 1024, seed: i);
        }

        await stop.CancelAsync();
        stalled.Dispose();
        await producer;
    }
}
