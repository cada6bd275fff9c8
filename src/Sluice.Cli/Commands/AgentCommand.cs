using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Sluice.Configuration;
using Sluice.Hosting;
using Sluice.Tunnels;

namespace Sluice.Cli.Commands;

/// <summary>
/// `sluice agent -c agent.toml`: runs a tunnel agent until SIGTERM/SIGINT: one multiplexed
/// connection to the server (reconnecting with backoff), its reverse tunnels and local forwards.
/// </summary>
internal static class AgentCommand
{
    public const string DefaultPath = "agent.toml";

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = $"Path to the agent file (default: ./{DefaultPath})" };
        var command = new Command("agent", "Run a tunnel agent: publish local services on a tunnel server and forward through it") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(config) ?? DefaultPath;
            var agentConfig = ConfigFile.LoadAgentOrReport(path, "; not started");
            if (agentConfig is null)
            {
                return 1;
            }

            using var loggers = LoggerFactory.Create(builder => builder
                .SetMinimumLevel(LogLevelSwitch.ToLogLevel(agentConfig.LogLevel))
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.UseUtcTimestamp = true;
                })
                .Services.Configure<ConsoleLoggerOptions>(o => o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite));
            await using var agent = new TunnelAgent(agentConfig, loggers);
            try
            {
                agent.Start();
            }
            catch (SocketException ex)
            {
                Console.Error.WriteLine($"{path}: cannot listen for a [[forward]]: {ex.Message}");
                return 1;
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"{path}: cannot listen for the inspector ([agent] inspect = \"{agentConfig.Inspect}\"): {ex.Message}");
                return 1;
            }

            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            using var cancelled = cancellationToken.Register(() => stop.TrySetResult());
            await stop.Task;
            return 0;
        });
        return command;
    }
}
