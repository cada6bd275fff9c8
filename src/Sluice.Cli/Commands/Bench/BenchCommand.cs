using System.CommandLine;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// `sluice bench`: a load generator for any TCP server, and for Sluice against its peers.
/// </summary>
/// <remarks>
/// The generator keeps the inline socket completions Program.cs turns on for the whole CLI, on
/// purpose: its continuations are short and never block (check an echo, record a histogram
/// value, issue the next send), and running them on the epoll thread takes a thread-pool hop off
/// every measured round trip. With the hop the generator itself added latency and burned CPU the
/// proxy under test shares on a 2-core machine. Set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0
/// to compare.
/// </remarks>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Load generator: request/response, bulk streams, connection churn, idle connections held, firehose clients")
    {
        RrCommand.Create(),
        StreamCommand.Create(),
        ChurnCommand.Create(),
        HoldCommand.Create(),
        FirehoseBenchCommand.Create(),
        FirehoseServerCommand.Create(),
    };
}
