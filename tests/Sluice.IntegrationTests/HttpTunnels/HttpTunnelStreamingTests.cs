using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace Sluice.IntegrationTests.HttpTunnels;

/// <summary>What breaks in tunnels that buffer: chunked bodies, server-sent events, WebSockets, many requests at once.</summary>
public sealed class HttpTunnelStreamingTests
{
    [Fact]
    public async Task A_chunked_response_arrives_whole_and_still_chunked()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();

        using var response = await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/chunked"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("chunk-0;chunk-1;chunk-2;chunk-3;chunk-4;", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sequential_requests_of_one_user_share_one_tunnel_stream_and_one_local_connection()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        var (agent, _) = await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"hello from app /hello?i={i}", await client.GetStringAsync(HttpTunnelHarness.Url("office.tunnel.test", $"/hello?i={i}")));
        }

        // HTTP keep-alive end to end: one pooled connection at the edge is one stream is one local connection.
        Assert.Equal(20, app.Requests);
        Assert.Equal(1, app.Connections);
        Assert.Equal(2, agent.Session!.OpenStreams); // the control stream and the one HTTP stream
    }

    [Fact]
    public async Task The_first_server_sent_event_arrives_before_the_response_ends()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var client = harness.Client();

        using var response = await client.GetAsync(HttpTunnelHarness.Url("office.tunnel.test", "/sse"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // The app holds the response open until released: this line can only come from a stream.
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("data: first", first);
        app.ReleaseSse();
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("\ndata: last\n\n", rest);
    }

    [Fact]
    public async Task A_websocket_upgrade_through_the_tunnel_echoes_text_and_binary_messages()
    {
        await using var app = await LocalWebApp.StartAsync();
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", app.Address)]);
        using var invoker = new HttpMessageInvoker(HttpTunnelHarness.EdgeHandler(harness.Edge));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri("ws://office.tunnel.test/ws"), invoker, CancellationToken.None);

        var buffer = new byte[256 * 1024];
        foreach (var (message, type) in new[] { (Encoding.UTF8.GetBytes("hello over the tunnel"), WebSocketMessageType.Text), (RandomBytes(100_000), WebSocketMessageType.Binary) })
        {
            await socket.SendAsync(message, type, endOfMessage: true, CancellationToken.None);
            var received = 0;
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, received, buffer.Length - received), CancellationToken.None);
                received += result.Count;
            }
            while (!result.EndOfMessage);

            Assert.Equal(type, result.MessageType);
            Assert.Equal(message, buffer.AsSpan(0, received).ToArray());
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_across_two_agents_hosts_each_reach_the_right_app()
    {
        await using var office = await LocalWebApp.StartAsync("office-app");
        await using var shop = await LocalWebApp.StartAsync("shop-app");
        await using var harness = await HttpTunnelHarness.StartAsync();
        await harness.StartAgentAsync([HttpTunnelHarness.Http("office", office.Address)]);
        await harness.StartAgentAsync([HttpTunnelHarness.Http("shop", shop.Address)], name: "other");
        using var client = harness.Client();

        var requests = Enumerable.Range(0, 200).Select(async i =>
        {
            var host = i % 2 == 0 ? "office" : "shop";
            var body = await client.GetStringAsync(HttpTunnelHarness.Url($"{host}.tunnel.test", $"/hello?i={i}"));
            Assert.Equal($"hello from {host}-app /hello?i={i}", body);
        });
        await Task.WhenAll(requests);
        Assert.Equal(100, office.Requests);
        Assert.Equal(100, shop.Requests);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
