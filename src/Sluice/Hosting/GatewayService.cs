using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.Firehose;
using Sluice.Forwarding.Epoll;

namespace Sluice.Hosting;

/// <summary>Starts the gateway on the loaded config, and drains it when the host stops (SIGTERM/SIGINT).</summary>
internal sealed partial class GatewayService(Gateway gateway, SluiceConfig initial, ILogger<GatewayService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        EpollLoopGroup.UseLogger(logger);
        var errors = await gateway.ApplyAsync(initial, cancellationToken);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                LogStartError(logger, error);
            }

            throw new StartupException(errors);
        }

        LogStarted(logger, initial.SourcePath ?? "(built-in)", initial.Proxies.Count, initial.Clusters.Count, initial.Echoes.Count, initial.Firehoses.Count, initial.TunnelServer is null ? "off" : "on", EpollLoopGroup.IsEnabled ? "epoll" : "sockets", FirehoseEngine.Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => gateway.DrainAsync(gateway.Config.Server.ShutdownTimeout);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "sluice started from {Source}: {Routes} proxy routes, {Clusters} clusters, {Echoes} echo servers, {Firehoses} firehoses, tunnel server {TunnelServer}; proxy engine {Engine}, firehose engine {FirehoseEngine}")]
    private static partial void LogStarted(ILogger logger, string source, int routes, int clusters, int echoes, int firehoses, string tunnelServer, string engine, string firehoseEngine);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Critical, Message = "cannot start: {Error}")]
    private static partial void LogStartError(ILogger logger, string error);
}
