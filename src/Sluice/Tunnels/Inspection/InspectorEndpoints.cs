using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// The inspector's routes: the page, the read-only list and detail, and replay, the only write.
/// </summary>
internal sealed class InspectorEndpoints(
    InspectorStore store,
    Func<string, ReplayTarget?> resolveTunnel,
    ExchangeReplayer replayer,
    ILogger logger,
    CancellationToken stopping)
{
    /// <summary>The most rows one list answer carries.</summary>
    public const int MaxLimit = 500;

    /// <summary>The longest a list request may wait for a newer record (its <c>wait</c> parameter, seconds).</summary>
    public const int MaxWaitSeconds = 30;

    public static void Map(IEndpointRouteBuilder endpoints, InspectorEndpoints handlers)
    {
        endpoints.MapGet("/", InspectorPage.Write);
        endpoints.MapGet("/api/requests", handlers.ListAsync);
        endpoints.MapGet("/api/requests/{id:long}", handlers.Get);
        endpoints.MapPost("/api/requests/{id:long}/replay", handlers.ReplayAsync);
    }

    /// <summary>
    /// Newest first, ids above <c>after</c>. With <c>wait</c> (seconds) and nothing newer yet, the
    /// answer is held until a record arrives or the wait ends (then an empty list): the page's
    /// long poll, which shows a new exchange at once without polling an idle agent every second.
    /// </summary>
    private async Task<IResult> ListAsync(HttpContext context, long? after, int? limit, int? wait)
    {
        var since = Math.Max(after ?? 0, 0);
        var take = Math.Clamp(limit ?? 100, 1, MaxLimit);
        var seconds = Math.Clamp(wait ?? 0, 0, MaxWaitSeconds);
        if (seconds > 0 && store.LastId <= since)
        {
            using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            held.CancelAfter(TimeSpan.FromSeconds(seconds));
            try
            {
                await store.WaitForNewerAsync(since, held.Token);
            }
            catch (OperationCanceledException)
            {
                // The wait ended (or the inspector is stopping): answer with whatever there is.
            }
        }

        var rows = store.List(since, take).Select(ExchangeSummary.From).ToArray();
        return Results.Json(new ExchangeList(store.LastId, rows), InspectorJsonContext.Default.ExchangeList);
    }

    private IResult Get(long id) => store.Get(id) is { } record
        ? Results.Json(record, InspectorJsonContext.Default.ExchangeRecord)
        : Gone(id);

    private async Task<IResult> ReplayAsync(HttpContext context, long id)
    {
        if (store.Get(id) is not { } original)
        {
            return Gone(id);
        }

        if (original.RequestBodyTruncated)
        {
            return Error(StatusCodes.Status409Conflict,
                $"exchange #{id}'s request body was not captured whole (kept {original.RequestBody.Length} of {original.RequestBytes} bytes), so a replay would send a different request; raise inspect_body_bytes to replay requests this large");
        }

        if (resolveTunnel(original.Tunnel) is not { } target)
        {
            return Error(StatusCodes.Status404NotFound, $"tunnel \"{original.Tunnel}\" is not exposed by this agent any more, so there is no local service to replay #{id} to");
        }

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "inspector";
        var replay = await replayer.SendAsync(original, target, remote, aborted.Token);
        var replayId = store.Add(replay);
        replay = replay with { Id = replayId };
        if (replay.Error is { } error)
        {
            InspectorLog.ReplayFailed(logger, id, target.Local.ToString(), replayId, error);

            // The failed replay is stored and listed like any exchange; its record is the answer.
            return Results.Json(replay, InspectorJsonContext.Default.ExchangeRecord, statusCode: StatusCodes.Status502BadGateway);
        }

        InspectorLog.Replayed(logger, id, target.Local.ToString(), replayId, replay.Status);
        context.Response.Headers.Location = $"/api/requests/{replayId}";
        return Results.Json(replay, InspectorJsonContext.Default.ExchangeRecord, statusCode: StatusCodes.Status201Created);
    }

    private static IResult Gone(long id) =>
        Error(StatusCodes.Status404NotFound, $"no exchange #{id}: it was never recorded or the ring has evicted it");

    private static IResult Error(int status, string message) =>
        Results.Json(new InspectorError(message), InspectorJsonContext.Default.InspectorError, statusCode: status);
}
