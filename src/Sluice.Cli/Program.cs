using System.CommandLine;
using Sluice.Cli.Commands;

var root = new RootCommand("Sluice: an L4 TCP proxy and load balancer, firehose gateway and tunnel server in one binary.")
{
    RunCommand.Create(),
    CheckCommand.Create(),
};

// Sluice handles SIGTERM/SIGINT itself (drain within shutdown_timeout), so System.CommandLine
// must not cancel and exit on its own after its default 2 s.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
