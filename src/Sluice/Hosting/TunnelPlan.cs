using Sluice.Tunnels;

namespace Sluice.Hosting;

/// <summary>
/// What applying a config does to the tunnel server: keep the running one (new agent settings),
/// start a new one (its WebSocket listener already bound), or stop it. Rolled back when another
/// listener of the same config fails to bind.
/// </summary>
internal sealed class TunnelPlan
{
    public TunnelServer? Server { get; init; }

    public TunnelWebSocketServer? WebSocket { get; init; }

    /// <summary>True when <see cref="Server"/> is newly created by this apply.</summary>
    public bool IsNew { get; init; }

    public string? Error { get; init; }

    public static TunnelPlan None { get; } = new();

    public async Task RollbackAsync()
    {
        if (!IsNew)
        {
            return;
        }

        if (WebSocket is not null)
        {
            await WebSocket.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
