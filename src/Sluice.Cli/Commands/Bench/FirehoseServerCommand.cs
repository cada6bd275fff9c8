using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Sluice.Cli.Bench;
using Sluice.Transport;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// Hidden `sluice bench firehose-server --role master|direct --listen HOST:PORT`: the firehose
/// bench's servers as processes of their own, so `bench firehose --target` can load a gateway
/// (`sluice run` plus this echo master) and the direct echo server the same way, from outside,
/// with the same runtime settings (both are this binary). Runs until SIGTERM or SIGINT.
/// </summary>
internal static class FirehoseServerCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "master (echoes tagged frames to the gateway) | direct (echo server holding one socket per client)", Required = true };
        role.AcceptOnlyFromAmong("master", "direct");
        var listen = new Option<string>("--listen") { Description = "host:port to listen on", Required = true };
        var command = new Command("firehose-server", "The firehose bench's echo master or direct echo server as its own process") { role, listen };
        command.Hidden = true;
        command.SetAction(async (parse, cancellationToken) =>
        {
            IPEndPoint endpoint;
            try
            {
                endpoint = await BenchTarget.ResolveAsync(parse.GetValue(listen)!, cancellationToken);
            }
            catch (BenchException ex)
            {
                Console.Error.WriteLine($"bench: {ex.Message}");
                return 1;
            }

            FileDescriptorLimit.RaiseSoftLimit();
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            if (parse.GetValue(role) == "master")
            {
                await using var master = new BenchEchoMaster(endpoint);
                Console.WriteLine($"echo master listening on {master.EndPoint}");
                await stop.Task.WaitAsync(cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"echo master: {master.Messages:N0} messages"));
            }
            else
            {
                await using var direct = new DirectEchoServer(endpoint);
                Console.WriteLine($"direct echo server listening on {direct.EndPoint}");
                await stop.Task.WaitAsync(cancellationToken);
            }

            return 0;
        });
        return command;
    }
}
