using System.Net;
using System.Text;
using Sluice.Client;

// A firehose master for the README tour: listens where the gateway's `master` points, echoes
// every client message back to its sender, and prints what the gateway reports.
//   dotnet run --project samples/FirehoseEchoMaster -- 127.0.0.1:42001          (echo)
//   dotnet run --project samples/FirehoseEchoMaster -- 127.0.0.1:42001 --chat   (broadcast to all; needs master_events = true)
//   dotnet run --project samples/FirehoseEchoMaster -- --client 127.0.0.1:42000 (a client: stdin lines out, replies printed)
if (args.Length > 1 && args[0] == "--client")
{
    await using var client = await FirehoseClient.ConnectAsync(IPEndPoint.Parse(args[1]));
    Console.WriteLine($"connected as client {client.ClientId}; type lines, Ctrl-D to quit");
    var printing = Task.Run(async () =>
    {
        await foreach (var reply in client.ReadAllAsync())
        {
            Console.WriteLine($"< {Encoding.UTF8.GetString(reply)}");
        }
    });
    while (Console.ReadLine() is { } input)
    {
        await client.SendAsync(Encoding.UTF8.GetBytes(input));
    }

    return;
}

var address = IPEndPoint.Parse(args.Length > 0 ? args[0] : "127.0.0.1:42001");
var chat = args.Contains("--chat");
await using var master = FirehoseMaster.Listen(address);
Console.WriteLine($"master listening on {master.LocalEndPoint} ({(chat ? "chat" : "echo")}); waiting for the gateway");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    await foreach (var item in master.ReadAllAsync(stop.Token))
    {
        switch (item.Kind)
        {
            case FirehoseEventKind.Message when chat:
                var line = Encoding.UTF8.GetBytes($"{item.ClientId}: {item.Text}");
                await master.BroadcastAsync(line, cancellationToken: stop.Token);
                break;
            case FirehoseEventKind.Message:
                await master.SendAsync(item.ClientId, item.Data, stop.Token);
                break;
            case FirehoseEventKind.GatewayConnected or FirehoseEventKind.GatewayDisconnected:
                Console.WriteLine(item.Kind);
                break;
            default:
                Console.WriteLine($"client {item.ClientId}: {item.Kind} {item.Text}");
                break;
        }
    }
}
catch (OperationCanceledException)
{
}
