namespace Sluice.Tunnels.Inspection;

/// <summary>
/// The answer of GET /api/requests: the rows newest first, and the store's newest id so a client
/// that asked with a small limit still knows where to continue from.
/// </summary>
internal sealed record ExchangeList(long LastId, IReadOnlyList<ExchangeSummary> Requests);
