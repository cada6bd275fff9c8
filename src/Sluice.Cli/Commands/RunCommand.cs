using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Sluice.Configuration;
using Sluice.Hosting;

namespace Sluice.Cli.Commands;

/// <summary>
/// `sluice run`: runs every configured listener until SIGTERM/SIGINT. Without -c and with no
/// ./sluice.toml, it first writes the commented default (a loopback demo) and runs that. An
/// explicit -c path that doesn't exist is an error: a typo must not conjure a new config.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = ConfigOption.Create();
        var command = new Command("run", "Run every configured listener (writes a default sluice.toml if there is none)") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(config);
            if (path is null)
            {
                path = ConfigOption.DefaultPath;
                if (!File.Exists(path))
                {
                    DefaultConfig.WriteTo(path);
                    Console.Error.WriteLine($"wrote the default config to {Path.GetFullPath(path)}; edit it and save to reload");
                }
            }

            var loaded = ConfigFile.LoadOrReport(path, consequence: "; not started");
            if (loaded is null)
            {
                return 1;
            }

            using var host = SluiceHost.Build(loaded);
            try
            {
                await host.RunAsync(cancellationToken);
            }
            catch (StartupException ex)
            {
                foreach (var error in ex.Errors)
                {
                    Console.Error.WriteLine(error);
                }

                return 1;
            }

            return 0;
        });
        return command;
    }
}
