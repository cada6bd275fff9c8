using System.CommandLine;
using Sluice.Cli.Commands;
using Sluice.Cli.Commands.Bench;

// Socket completions run inline on the epoll thread instead of hopping to the thread pool: on
// the proxy's request/response path that hop cost ~40% of throughput (redis-benchmark GET, 50
// connections, same run: 15-17k req/s with the hop, 41-47k inline, HAProxy 25-47k). The engine
// never blocks on those threads. The runtime reads this once, at the first socket operation,
// so it must be set before anything else; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 opts out.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

var root = new RootCommand("Sluice: an L4 TCP proxy and load balancer, firehose gateway and tunnel server in one binary.")
{
    RunCommand.Create(),
    CheckCommand.Create(),
    BenchCommand.Create(),
};

// Sluice handles SIGTERM/SIGINT itself (drain within shutdown_timeout), so System.CommandLine
// must not cancel and exit on its own after its default 2 s.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
