namespace Sluice.Cli.Commands.Bench;

internal sealed record FirehoseBenchSettings(int Clients, int Size, int Window, TimeSpan Warmup, TimeSpan Duration);
