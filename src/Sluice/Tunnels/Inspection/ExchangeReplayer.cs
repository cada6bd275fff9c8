using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// Re-sends a captured request to a tunnel's local service and describes what came back as a new
/// <see cref="ExchangeRecord"/>. Network failures are not thrown: they come back as a record with
/// <see cref="ExchangeRecord.Error"/> set, since a failed replay is worth seeing in the list too.
/// </summary>
internal sealed class ExchangeReplayer : IDisposable
{
    /// <summary>The whole replay, response body included, must finish within this.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly int _bodyBytes;
    private readonly TimeSpan _timeout;

    public ExchangeReplayer(int bodyBytes, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyBytes);
        _bodyBytes = bodyBytes;
        _timeout = timeout ?? DefaultTimeout;

        // A replay shows what the local service answers, byte for byte: no proxy in between, no
        // redirect followed, no decompression, no cookie jar carrying state from one replay into
        // the next.
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Sends <paramref name="original"/>'s request to <paramref name="target"/>. The caller has
    /// checked that the request body was captured whole.
    /// </summary>
    public async Task<ExchangeRecord> SendAsync(ExchangeRecord original, ReplayTarget target, string remoteAddress, CancellationToken cancellationToken)
    {
        var host = target.HostHeader ?? original.Host;
        var headers = ReplayHeaders.Select(original.RequestHeaders);
        var sent = new List<HeaderField>(headers.Count + 1) { new("Host", host) };
        sent.AddRange(headers);

        var record = new ExchangeRecord
        {
            Tunnel = original.Tunnel,
            Host = original.Host,
            Scheme = original.Scheme,
            Method = original.Method,
            Path = original.Path,
            RemoteAddress = remoteAddress,
            StartedAt = DateTimeOffset.UtcNow,
            RequestHeaders = sent,
            RequestBody = original.RequestBody,
            RequestBytes = original.RequestBody.Length,
            ReplayOf = original.Id,
        };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var watch = Stopwatch.StartNew();
        HttpResponseMessage? response = null;
        var capture = new BodyCapture(_bodyBytes);
        try
        {
            using var request = BuildRequest(original, target, host, headers);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            record = record with { Status = (int)response.StatusCode, ResponseHeaders = ResponseHeaders(response) };
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            await capture.ReadToEndAsync(body, timeout.Token);
            return Finish(record, capture, watch, error: null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Finish(record, capture, watch, $"replay to {target.Local}: no complete answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return Finish(record, capture, watch, $"replay to {target.Local} failed: {Describe(ex)}");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // A method or path the edge accepted but HttpClient will not send (the edge's
            // parser is not this one): still a replay that failed, and worth saying why.
            return Finish(record, capture, watch, $"replay to {target.Local} failed: the captured request cannot be sent again ({ex.Message})");
        }
        finally
        {
            response?.Dispose();
        }
    }

    public void Dispose() => _http.Dispose();

    private static HttpRequestMessage BuildRequest(ExchangeRecord original, ReplayTarget target, string host, IReadOnlyList<HeaderField> headers)
    {
        var path = original.Path.StartsWith('/') ? original.Path : "/" + original.Path;

        // The path goes out exactly as the user sent it: a canonicalising Uri would unescape
        // %2F or fold "/a/../b", and the replay would no longer be the same request.
        var uri = new Uri($"http://{target.Local}{path}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(new HttpMethod(original.Method), uri) { Version = HttpVersion.Version11 };
        request.Headers.TryAddWithoutValidation("Host", host);

        HttpContent? content = original.RequestBody.Length > 0 || ReplayHeaders.HadBody(original.RequestHeaders)
            ? new ByteArrayContent(original.RequestBody)
            : null;
        foreach (var header in headers)
        {
            if (request.Headers.TryAddWithoutValidation(header.Name, header.Value))
            {
                continue;
            }

            // Content-Type and the other content headers live on the content; a request that had
            // them but no body still sends them, on an empty body.
            content ??= new ByteArrayContent([]);
            content.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        request.Content = content;
        return request;
    }

    private static List<HeaderField> ResponseHeaders(HttpResponseMessage response)
    {
        var fields = new List<HeaderField>();
        Add(fields, response.Headers);
        Add(fields, response.Content.Headers);
        return fields;

        static void Add(List<HeaderField> fields, HttpHeaders headers)
        {
            foreach (var header in headers.NonValidated)
            {
                foreach (var value in header.Value)
                {
                    fields.Add(new HeaderField(header.Key, value));
                }
            }
        }
    }

    private static ExchangeRecord Finish(ExchangeRecord record, BodyCapture capture, Stopwatch watch, string? error) => record with
    {
        DurationMs = watch.Elapsed.TotalMilliseconds,
        ResponseBody = capture.ToArray(),
        ResponseBodyTruncated = capture.Truncated,
        ResponseBytes = capture.Total,
        Error = error,
    };

    private static string Describe(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.Message;
            }
        }

        return ex.Message;
    }
}
