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

// With inline completions the runtime starts one socket event thread per core, and the sockets
// that use them (tunnels, firehose, echo; proxied connections run on the epoll engine's own
// loops) then contend with the thread pool for every core. Half the cores measured better on
// 2 cores (one thread: tunnel redis GET +9-13% req/s at 16-33% less CPU per request, firehose
// 6% less CPU per message and half the p99; docs/benchmarks.md). Set the variable to override.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT") is null)
{
    var socketThreads = Math.Max(1, Environment.ProcessorCount / 2);
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", socketThreads.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

var root = new RootCommand("Sluice: an L4 TCP proxy and load balancer, firehose gateway and tunnel server in one binary.")
{
    RunCommand.Create(),
    CheckCommand.Create(),
    BenchCommand.Create(),
    AgentCommand.Create(),
};

// Sluice handles SIGTERM/SIGINT itself (drain within shutdown_timeout), so System.CommandLine
// must not cancel and exit on its own after its default 2 s.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
