using Microsoft.Extensions.Logging;
using Sluice.Multiplexing;
using Sluice.Tests.Health;

namespace Sluice.Tests.Multiplexing;

/// <summary>A client and a server session over one in-memory connection.</summary>
internal sealed class MuxPair : IAsyncDisposable
{
    private MuxPair(MuxSession client, MuxSession server, CapturingLogger clientLog, CapturingLogger serverLog)
    {
        Client = client;
        Server = server;
        ClientLog = clientLog;
        ServerLog = serverLog;
    }

    public MuxSession Client { get; }

    public MuxSession Server { get; }

    public CapturingLogger ClientLog { get; }

    public CapturingLogger ServerLog { get; }

    public static MuxPair Create(MuxOptions? clientOptions = null, MuxOptions? serverOptions = null, Func<Stream, Stream>? wrapClientTransport = null, Func<Stream, Stream>? wrapServerTransport = null, long pauseBytes = 1024 * 1024)
    {
        var (a, b) = PipeDuplexStream.CreatePair(pauseBytes);
        var clientLog = new CapturingLogger();
        var serverLog = new CapturingLogger();
        var client = MuxSession.Start(wrapClientTransport?.Invoke(a) ?? a, isClient: true, clientOptions ?? new MuxOptions(), clientLog);
        var server = MuxSession.Start(wrapServerTransport?.Invoke(b) ?? b, isClient: false, serverOptions ?? new MuxOptions(), serverLog);
        return new MuxPair(client, server, clientLog, serverLog);
    }

    /// <summary>Opens a stream on the client and accepts it on the server.</summary>
    public async Task<(MuxStream Opened, MuxStream Accepted)> OpenAsync()
    {
        var opened = await Client.OpenStreamAsync(TestTimeout.Token);
        var accepted = await Server.AcceptStreamAsync(TestTimeout.Token);
        Assert.NotNull(accepted);
        Assert.Equal(opened.Id, accepted.Id);
        return (opened, accepted);
    }

    public bool Logged(CapturingLogger log, int eventId, LogLevel? level = null) =>
        log.Entries.Any(e => e.Id.Id == eventId && (level is null || e.Level == level));

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
