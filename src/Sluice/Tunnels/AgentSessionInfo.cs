namespace Sluice.Tunnels;

/// <summary>A snapshot of one agent session for metrics and the admin API.</summary>
internal readonly record struct AgentSessionInfo(string Agent, long OpenStreams, long BufferedBytes, long ReceiveWindow, long AverageStreamWindow, long WindowGrowths);
