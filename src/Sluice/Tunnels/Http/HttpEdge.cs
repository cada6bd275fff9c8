using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Admin;
using Sluice.Configuration;
using Sluice.Protocols.Tunnels;
using Sluice.Tunnels.Inspection;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Tunnels.Http;

/// <summary>
/// The public HTTP edge of the tunnel server (http_listen, https_listen): Kestrel takes the
/// request, its Host picks the agent's route, and YARP's forwarder sends it down a tunnel stream
/// (its connection opened onto the multiplexer) to the agent, which passes the bytes to its local
/// service. Bodies are streamed both ways with the multiplexer's flow control as backpressure;
/// keep-alive, chunked bodies, server-sent events and WebSocket upgrades pass as they are.
/// </summary>
internal sealed class HttpEdge : IAsyncDisposable
{
    /// <summary>Tunnel streams open at once for one host; more requests wait for one to be free.</summary>
    public const int MaxStreamsPerHost = 1024;

    private readonly WebApplication _app;
    private readonly List<ListenOptions> _http;
    private readonly List<ListenOptions> _https;
    private readonly SocketsHttpHandler _handler;

    private HttpEdge(WebApplication app, List<ListenOptions> http, List<ListenOptions> https, SocketsHttpHandler handler)
    {
        _app = app;
        _http = http;
        _https = https;
        _handler = handler;
    }

    public int? HttpPort => _http.Select(l => l.IPEndPoint?.Port).FirstOrDefault();

    public int? HttpsPort => _https.Select(l => l.IPEndPoint?.Port).FirstOrDefault();

    public IPEndPoint? HttpEndPoint => _http.Select(l => l.IPEndPoint).FirstOrDefault();

    public IPEndPoint? HttpsEndPoint => _https.Select(l => l.IPEndPoint).FirstOrDefault();

    public static async Task<HttpEdge> StartAsync(TunnelServerConfig config, X509Certificate2? certificate, TunnelServer server, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var http = new List<ListenOptions>();
        var https = new List<ListenOptions>();
        var httpAddress = config.HttpListen is { } h ? await Transport.ListenAddress.ResolveAsync(h, "http_listen", cancellationToken) : null;
        var httpsAddress = config.HttpsListen is { } s ? await Transport.ListenAddress.ResolveAsync(s, "https_listen", cancellationToken) : null;
        var builder = EmbeddedWebApp.CreateBuilder("Sluice.HttpEdge", loggers, kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = config.HttpMaxHeaderBytes;
            kestrel.Limits.MaxRequestBodySize = config.HttpMaxBodyBytes == 0 ? null : config.HttpMaxBodyBytes;
            if (httpAddress is not null)
            {
                kestrel.Listen(httpAddress, config.HttpListen!.Value.Port, options =>
                {
                    CountAgainst(options, server.ProcessLimit);
                    http.Add(options);
                });
            }

            if (httpsAddress is not null)
            {
                kestrel.Listen(httpsAddress, config.HttpsListen!.Value.Port, options =>
                {
                    CountAgainst(options, server.ProcessLimit);
                    options.UseHttps(certificate!);
                    https.Add(options);
                });
            }
        });
        // Kestrel hands every socket read to its own I/O queue threads and the request on to the
        // thread pool unless told to run it inline; the edge follows the process's socket setting
        // (inline unless DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0), like the tunnels do.
        builder.Services.Configure<SocketTransportOptions>(sockets =>
            sockets.UnsafePreferInlineScheduling = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1");
        builder.Services.AddLogging(logging => logging.AddFilter("Yarp", LogLevel.Warning));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var handler = CreateHandler(server);
        var edge = new EdgeHandler(server, app.Services.GetRequiredService<IHttpForwarder>(), new HttpMessageInvoker(handler, disposeHandler: false), config.HttpTimeout);
        app.Run(edge.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            handler.Dispose();
            throw;
        }

        var result = new HttpEdge(app, http, https, handler);
        foreach (var endpoint in http.Select(l => l.IPEndPoint))
        {
            TunnelLog.HttpEdgeListening(server.Logger, $"http://{endpoint}");
        }

        foreach (var endpoint in https.Select(l => l.IPEndPoint))
        {
            TunnelLog.HttpEdgeListening(server.Logger, $"https://{endpoint}");
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await EmbeddedWebApp.StopAndDisposeAsync(_app);
        }
        finally
        {
            _handler.Dispose();
        }
    }

    /// <summary>
    /// Every edge connection holds one place of [server] max_connections while it is open, like a
    /// proxied or tunnelled connection; over the cap it is closed at once, before TLS or parsing.
    /// </summary>
    private static void CountAgainst(ListenOptions options, Transport.ConnectionLimiter limit) =>
        options.Use(next => async connection =>
        {
            if (!limit.TryAcquire())
            {
                connection.Abort();
                return;
            }

            try
            {
                await next(connection);
            }
            finally
            {
                limit.Release();
            }
        });

    /// <summary>
    /// The client side of the edge: one connection pool per public host, each connection a
    /// stream of the host's agent session. A pooled connection outlives requests (HTTP keep-alive
    /// over one stream), and dies with its session; the handler then opens one on the new session.
    /// </summary>
    private static SocketsHttpHandler CreateHandler(TunnelServer server) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxConnectionsPerServer = MaxStreamsPerHost,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var route = server.FindHttpRoute(host) ?? throw new HttpRequestException($"no tunnel for host {host}");
            var session = route.Session ?? throw new HttpRequestException($"the agent of {host} is offline");
            var stream = await session.Mux.OpenStreamAsync(cancellationToken);

            // The connection's reader (the response parser, then YARP copying to Kestrel) only
            // awaits between its reads, so a small response may run on the session's read loop
            // instead of hopping to the thread pool, as the TCP tunnels' pumps do.
            stream.InlineWakeups = true;
            try
            {
                await stream.WriteAsync(StreamHeader.Reverse(route.Request.Name).ToArray(), cancellationToken);
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }

            return stream;
        },
    };

    /// <summary>One request: route by Host, check the edge credential, forward, account.</summary>
    private sealed class EdgeHandler(TunnelServer server, IHttpForwarder forwarder, HttpMessageInvoker invoker, TimeSpan timeout)
    {
        private readonly ForwarderRequestConfig _requestConfig = new()
        {
            ActivityTimeout = timeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        public async Task HandleAsync(HttpContext context)
        {
            var started = Stopwatch.GetTimestamp();
            var request = context.Request;
            if (!request.Host.HasValue)
            {
                server.Metrics.Unknown.Record(400, 0, 0, 0);
                await EdgePages.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request", "The request has no Host header, so it names no tunnel.");
                return;
            }

            var host = HttpHostName.FromHeader(request.Host.Value);
            if (server.FindHttpRoute(host) is not { } route)
            {
                server.Metrics.Unknown.Record(404, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds);
                await EdgePages.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", $"No tunnel is registered for host {host}.");
                return;
            }

            // One message, two lengths: the smuggling shape. Refused, not guessed at. (Kestrel lets
            // Transfer-Encoding win and moves the Content-Length it received to X-Content-Length.)
            if (request.Headers.ContainsKey("Transfer-Encoding") && (request.Headers.ContainsKey("Content-Length") || request.Headers.ContainsKey("X-Content-Length")))
            {
                route.Counters.Record(400, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds);
                context.Response.Headers.Connection = "close";
                await EdgePages.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request", "The request has both Content-Length and Transfer-Encoding.");
                return;
            }

            var registration = route.Request;
            var requestHeaders = registration.Inspect ? CaptureHeaders(request.Headers, registration) : [];
            if (!Authorized(request, registration))
            {
                route.Counters.Record(401, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds);
                if (registration.AuthKind == HttpAuthKind.Basic)
                {
                    context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{host}\", charset=\"UTF-8\"";
                }

                await EdgePages.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", $"{host} needs credentials.");
                return;
            }

            var session = route.Session;
            if (session is null)
            {
                route.Counters.Record(502, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds);
                await EdgePages.WriteAsync(context, StatusCodes.Status502BadGateway, "Bad Gateway", $"The agent serving {host} is not connected.");
                return;
            }

            var capture = registration.Inspect ? (int)Math.Min(registration.CaptureBytes, InspectFrames.MaxCapture) : 0;
            var requestBody = new BodyTap(request.Body, capture);
            var responseBody = new BodyTap(context.Response.Body, capture);
            request.Body = requestBody;
            context.Response.Body = responseBody;
            context.Features.Set(new EdgeExchange(route));

            var error = await forwarder.SendAsync(context, route.DestinationPrefix, invoker, _requestConfig, EdgeTransformer.Instance);
            string? reason = null;
            if (error != ForwarderError.None)
            {
                var exception = context.GetForwarderErrorFeature()?.Exception;
                reason = Describe(error, exception);
                if (!context.Response.HasStarted)
                {
                    await WriteErrorAsync(context, host, error, exception, reason);
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var statusCode = context.Response.StatusCode;
            route.Counters.Record(statusCode, requestBody.Count, responseBody.Count, elapsed.TotalSeconds);
            if (server.AccessLog.IsEnabled(LogLevel.Information))
            {
                TunnelLog.HttpAccess(server.AccessLog, host, route.Agent, context.Connection.RemoteIpAddress?.ToString() ?? "?", request.Method, request.Path.Value ?? "/", statusCode, requestBody.Count, responseBody.Count, (long)elapsed.TotalMilliseconds, reason is null ? string.Empty : $" error=\"{reason}\"");
            }

            if (registration.Inspect)
            {
                session.Inspect(new ExchangeRecord
                {
                    Tunnel = registration.Name,
                    Host = host,
                    Scheme = request.Scheme,
                    Method = request.Method,
                    Path = $"{request.PathBase}{request.Path}{request.QueryString}",
                    RemoteAddress = context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
                    StartedAt = DateTimeOffset.UtcNow - elapsed,
                    DurationMs = elapsed.TotalMilliseconds,
                    Status = statusCode,
                    Error = reason,
                    RequestHeaders = requestHeaders,
                    ResponseHeaders = [.. context.Response.Headers.SelectMany(h => h.Value.Select(v => new HeaderField(h.Key, v ?? string.Empty)))],
                    RequestBytes = requestBody.Count,
                    ResponseBytes = responseBody.Count,
                    RequestBody = requestBody.Captured,
                    RequestBodyTruncated = requestBody.Truncated,
                    ResponseBody = responseBody.Captured,
                    ResponseBodyTruncated = responseBody.Truncated,
                });
            }
        }

        /// <summary>The page for a failed forward: the user's own fault (a body over the cap, a broken chunked body) is theirs to hear about; the rest is the tunnel's.</summary>
        private Task WriteErrorAsync(HttpContext context, string host, ForwarderError error, Exception? exception, string reason)
        {
            if ((exception as Microsoft.AspNetCore.Http.BadHttpRequestException ?? exception?.InnerException as Microsoft.AspNetCore.Http.BadHttpRequestException) is { } bad)
            {
                return EdgePages.WriteAsync(context, bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Payload Too Large" : "Bad Request", bad.Message);
            }

            return error switch
            {
                ForwarderError.RequestTimedOut => EdgePages.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Gateway Timeout", $"The service behind {host} did not answer within {timeout.TotalSeconds:0.#} s."),
                ForwarderError.RequestBodyClient => EdgePages.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request", $"The request body could not be read: {reason}."),
                _ => EdgePages.WriteAsync(context, StatusCodes.Status502BadGateway, "Bad Gateway", $"The service behind {host} could not be reached: {reason}."),
            };
        }

        /// <summary>Constant-time: the SHA-256 of the header's value against the hash the agent registered. The credential is taken off the request.</summary>
        private static bool Authorized(HttpRequest request, HttpTunnelRequest registration)
        {
            if (registration.AuthKind == HttpAuthKind.None)
            {
                return true;
            }

            var value = request.Headers[registration.AuthHeader].ToString();
            request.Headers.Remove(registration.AuthHeader);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
            return CryptographicOperations.FixedTimeEquals(hash, registration.AuthHash);
        }

        private static HeaderField[] CaptureHeaders(IHeaderDictionary headers, HttpTunnelRequest registration) =>
            [.. headers.SelectMany(h => h.Value.Select(v => new HeaderField(
                h.Key,
                registration.AuthKind != HttpAuthKind.None && string.Equals(h.Key, registration.AuthHeader, StringComparison.OrdinalIgnoreCase) ? "[redacted]" : v ?? string.Empty)))];

        private static string Describe(ForwarderError error, Exception? exception) => error switch
        {
            ForwarderError.RequestTimedOut => "timed out",
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled => "the user went away",
            _ => exception?.InnerException?.Message ?? exception?.Message ?? error.ToString(),
        };
    }
}
