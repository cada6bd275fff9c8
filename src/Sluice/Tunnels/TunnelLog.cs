using System.Net;
using Microsoft.Extensions.Logging;

namespace Sluice.Tunnels;

/// <summary>Tunnel server and agent log lines, event ids 7001-7099.</summary>
internal static partial class TunnelLog
{
    // Server: 7001-7039.
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "tunnel server listening for agents on {Endpoint} ({Transport})")]
    public static partial void ServerListening(ILogger logger, IPEndPoint endpoint, string transport);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "tunnel server on {Endpoint} accepts agents over plain TCP (tls = false): tokens are not sent, but tunnelled data and tunnel names cross the network unencrypted")]
    public static partial void PlainTcp(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "tunnel server TLS certificate {Path}, fingerprint {Fingerprint}")]
    public static partial void CertificateFingerprint(ILogger logger, string path, string fingerprint);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "generated a self-signed tunnel certificate {CertPath} (key {KeyPath}); agents pin server_fingerprint = \"{Fingerprint}\"")]
    public static partial void CertificateGenerated(ILogger logger, string certPath, string keyPath, string fingerprint);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "agent \"{Agent}\" connected from {Remote} over {Transport} (protocol v{Version})")]
    public static partial void AgentConnected(ILogger logger, string agent, string remote, string transport, int version);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "agent connection from {Remote} refused: {Reason}")]
    public static partial void AgentRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "agent \"{Agent}\" disconnected: {Reason}")]
    public static partial void AgentDisconnected(ILogger logger, string agent, string reason);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Information, Message = "agent \"{Agent}\" reconnected: the new session replaces the old one")]
    public static partial void AgentReplaced(ILogger logger, string agent);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Information, Message = "agent \"{Agent}\" tunnel \"{Tunnel}\" published on {Endpoint}")]
    public static partial void TunnelPublished(ILogger logger, string agent, string tunnel, IPEndPoint endpoint);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "agent \"{Agent}\" tunnel \"{Tunnel}\" on port {Port} refused: {Reason}")]
    public static partial void TunnelRefused(ILogger logger, string agent, string tunnel, int port, string reason);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "agent \"{Agent}\" tunnel \"{Tunnel}\" on {Endpoint} closed")]
    public static partial void TunnelClosed(ILogger logger, string agent, string tunnel, IPEndPoint endpoint);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Information, Message = "tunnel={Agent}/{Tunnel} client={Client} bytes_in={BytesIn} bytes_out={BytesOut} duration_ms={DurationMs} reason={Reason}")]
    public static partial void ReverseAccess(ILogger logger, string agent, string tunnel, IPEndPoint? client, long bytesIn, long bytesOut, long durationMs, string reason);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Information, Message = "forward agent={Agent} destination={Destination} bytes_in={BytesIn} bytes_out={BytesOut} duration_ms={DurationMs} reason={Reason}")]
    public static partial void ForwardAccess(ILogger logger, string agent, string destination, long bytesIn, long bytesOut, long durationMs, string reason);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Warning, Message = "agent \"{Agent}\" forward to {Destination} refused: {Reason}")]
    public static partial void ForwardRefused(ILogger logger, string agent, string destination, string reason);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Warning, Message = "agent \"{Agent}\": bad data stream closed: {Reason}")]
    public static partial void BadStream(ILogger logger, string agent, string reason);

    [LoggerMessage(EventId = 7016, Level = LogLevel.Information, Message = "tunnel server going away: told {Agents} agents")]
    public static partial void GoingAway(ILogger logger, int agents);

    [LoggerMessage(EventId = 7017, Level = LogLevel.Error, Message = "unexpected error in the tunnel server")]
    public static partial void ServerUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7018, Level = LogLevel.Information, Message = "tunnel server listening for agents over WebSocket on {Url}")]
    public static partial void WebSocketListening(ILogger logger, string url);

    // Agent: 7040-7079.
    [LoggerMessage(EventId = 7019, Level = LogLevel.Information, Message = "agent \"{Agent}\" HTTP tunnel \"{Tunnel}\" published on {Url}")]
    public static partial void HttpHostPublished(ILogger logger, string agent, string tunnel, string url);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "agent \"{Agent}\" HTTP tunnel \"{Tunnel}\" for host \"{Host}\" refused: {Reason}")]
    public static partial void HttpHostRefused(ILogger logger, string agent, string tunnel, string host, string reason);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "agent \"{Agent}\" released HTTP host {Host}")]
    public static partial void HttpHostReleased(ILogger logger, string agent, string host);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Information, Message = "tunnel HTTP edge listening on {Url}")]
    public static partial void HttpEdgeListening(ILogger logger, string url);

    [LoggerMessage(EventId = 7023, Level = LogLevel.Information, Message = "http host={Host} agent={Agent} client={Client} method={Method} path={Path} status={Status} bytes_in={BytesIn} bytes_out={BytesOut} duration_ms={DurationMs}{Error}")]
    public static partial void HttpAccess(ILogger logger, string host, string agent, string client, string method, string path, int status, long bytesIn, long bytesOut, long durationMs, string error);

    [LoggerMessage(EventId = 7024, Level = LogLevel.Warning, Message = "agent \"{Agent}\": inspector feed closed: {Reason}")]
    public static partial void InspectFeedClosed(ILogger logger, string agent, string reason);

    [LoggerMessage(EventId = 7040, Level = LogLevel.Information, Message = "agent \"{Agent}\" connected to {Server}; {Tunnels} tunnels requested")]
    public static partial void AgentSessionUp(ILogger logger, string agent, string server, int tunnels);

    [LoggerMessage(EventId = 7041, Level = LogLevel.Warning, Message = "agent: connection to {Server} failed or ended ({Reason}); retrying in {DelayMs} ms")]
    public static partial void AgentRetrying(ILogger logger, string server, string reason, long delayMs);

    [LoggerMessage(EventId = 7042, Level = LogLevel.Information, Message = "agent: tunnel \"{Tunnel}\" is public on {Endpoint} -> {Local}")]
    public static partial void AgentTunnelUp(ILogger logger, string tunnel, string endpoint, string local);

    [LoggerMessage(EventId = 7043, Level = LogLevel.Error, Message = "agent: tunnel \"{Tunnel}\" (port {Port}) refused by the server: {Reason}")]
    public static partial void AgentTunnelRefused(ILogger logger, string tunnel, int port, string reason);

    [LoggerMessage(EventId = 7044, Level = LogLevel.Warning, Message = "agent: tunnel \"{Tunnel}\": cannot reach {Local} ({Reason}); the user connection is reset")]
    public static partial void AgentLocalFailed(ILogger logger, string tunnel, string local, string reason);

    [LoggerMessage(EventId = 7045, Level = LogLevel.Information, Message = "agent: forwarding {Forward}")]
    public static partial void AgentForwardListening(ILogger logger, string forward);

    [LoggerMessage(EventId = 7046, Level = LogLevel.Information, Message = "agent: {Forward}: {Destination} refused by the server: {Reason}")]
    public static partial void AgentForwardRefused(ILogger logger, string forward, string destination, string reason);

    [LoggerMessage(EventId = 7047, Level = LogLevel.Warning, Message = "agent: {Forward}: SOCKS5 client {Client} closed: {Reason}")]
    public static partial void AgentSocksFailed(ILogger logger, string forward, IPEndPoint? client, string reason);

    [LoggerMessage(EventId = 7048, Level = LogLevel.Error, Message = "agent: the server refused this agent: {Reason}")]
    public static partial void AgentRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 7049, Level = LogLevel.Error, Message = "agent: unexpected error")]
    public static partial void AgentUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7051, Level = LogLevel.Information, Message = "agent: HTTP tunnel \"{Tunnel}\" is public on {Url} -> {Local}")]
    public static partial void AgentHttpTunnelUp(ILogger logger, string tunnel, string url, string local);

    [LoggerMessage(EventId = 7052, Level = LogLevel.Error, Message = "agent: HTTP tunnel \"{Tunnel}\" (host {Host}) refused by the server: {Reason}")]
    public static partial void AgentHttpTunnelRefused(ILogger logger, string tunnel, string host, string reason);

    [LoggerMessage(EventId = 7050, Level = LogLevel.Warning, Message = "agent: {Forward}: no session to the server; connection from {Client} refused")]
    public static partial void AgentNoSession(ILogger logger, string forward, IPEndPoint? client);
}
