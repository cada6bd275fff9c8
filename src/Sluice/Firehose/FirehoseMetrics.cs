using System.Diagnostics.Metrics;
using Sluice.Telemetry;

namespace Sluice.Firehose;

/// <summary>
/// The firehose instruments on the gateway's "Sluice" meter, observed from each running
/// firehose's <see cref="FirehoseCounters"/> and session table at scrape time.
/// </summary>
internal sealed class FirehoseMetrics
{
    public FirehoseMetrics(SluiceMetrics metrics, Func<IEnumerable<FirehoseService>> firehoses)
    {
        var meter = metrics.Meter;
        meter.CreateObservableUpDownCounter(
            "sluice.firehose.clients",
            () => firehoses().SelectMany(f => new[]
            {
                Measure(f.Sessions.LiveCount, f.Name, "state", "connected"),
                Measure(f.Sessions.StaleCount, f.Name, "state", "stale"),
            }),
            unit: "{client}",
            description: "Firehose client sessions, connected or stale (waiting to resume).");
        meter.CreateObservableCounter(
            "sluice.firehose.handshakes",
            () => firehoses().SelectMany(f => f.Counters.Handshakes.Select(h => new Measurement<long>(
                h.Value,
                new KeyValuePair<string, object?>("firehose", f.Name),
                new KeyValuePair<string, object?>("kind", h.Key.Kind),
                new KeyValuePair<string, object?>("result", h.Key.Result)))),
            unit: "{handshake}",
            description: "Client handshakes (kind new|resume) by result: ok or the reason it failed.");
        meter.CreateObservableCounter(
            "sluice.firehose.messages",
            () => firehoses().SelectMany(f => new[]
            {
                Measure(f.Counters.MessagesIn, f.Name, "direction", "client_to_master"),
                Measure(f.Counters.MessagesOut, f.Name, "direction", "master_to_client"),
            }),
            unit: "{message}",
            description: "Messages through the firehose per direction.");
        meter.CreateObservableCounter(
            "sluice.firehose.transferred",
            () => firehoses().SelectMany(f => new[]
            {
                Measure(f.Counters.BytesIn, f.Name, "direction", "client_to_master"),
                Measure(f.Counters.BytesOut, f.Name, "direction", "master_to_client"),
            }),
            unit: "By",
            description: "Message bytes (without framing) through the firehose per direction.");
        meter.CreateObservableCounter(
            "sluice.firehose.closed",
            () => firehoses().SelectMany(f => f.Counters.Closed.Select(c => Measure(c.Value, f.Name, "reason", c.Key))),
            unit: "{connection}",
            description: "Client connections closed by the gateway or the client, by reason (eof, handshake_timeout, malformed, message_too_large, per_ip_limit, ...).");
        meter.CreateObservableCounter(
            "sluice.firehose.failures",
            () => firehoses().SelectMany(f => f.Counters.Failures.Select(c => Measure(c.Value, f.Name, "reason", c.Key))),
            unit: "{client}",
            description: "Sessions ended with a 0x01 failure to the master, by reason.");
        meter.CreateObservableCounter(
            "sluice.firehose.master.reconnects",
            () => firehoses().Select(f => Measure(f.Counters.MasterReconnects, f.Name)),
            unit: "{connection}",
            description: "Times the master link was lost and dialled again.");
        meter.CreateObservableGauge(
            "sluice.firehose.master.connected",
            () => firehoses().Select(f => Measure(f.Master.IsConnected ? 1 : 0, f.Name)),
            description: "1 while the gateway holds a connection to the master.");
        meter.CreateObservableGauge(
            "sluice.firehose.master.queue",
            () => firehoses().Select(f => Measure(f.Master.Outbox.PendingBytes, f.Name)),
            unit: "By",
            description: "Bytes waiting to be sent to the master.");
        meter.CreateObservableGauge(
            "sluice.firehose.client.queue",
            () => firehoses().Select(f => Measure(f.Sessions.QueuedMessages(), f.Name)),
            unit: "{message}",
            description: "Messages waiting to be sent to clients (connected or stale), summed over sessions.");
    }

    private static Measurement<long> Measure(long value, string firehose) =>
        new(value, new KeyValuePair<string, object?>("firehose", firehose));

    private static Measurement<long> Measure(long value, string firehose, string key, string tag) =>
        new(value, new KeyValuePair<string, object?>("firehose", firehose), new KeyValuePair<string, object?>(key, tag));
}
