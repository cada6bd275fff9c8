using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

internal sealed partial class ConfigBinder
{
    private readonly Dictionary<string, TextLocation> _firehoseNames = new(StringComparer.Ordinal);

    private List<FirehoseConfig> BindFirehoses(IReadOnlyList<TomlTableNode> tables)
    {
        var firehoses = new List<FirehoseConfig>();
        var defaults = new FirehoseConfig { Name = string.Empty, Listen = [], Master = default };
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"firehose[{i}]", _errors);
            var name = ReadName(reader, "firehose", _firehoseNames, fallback: null);
            var listen = ReadListeners(reader, "the address clients connect to, e.g. \"127.0.0.1:42000\"");
            var master = default(HostPort);
            if (reader.Get("master") is not { } masterEntry)
            {
                reader.Missing("master", "the master's address the gateway dials, e.g. \"127.0.0.1:42001\"");
            }
            else if (reader.ReadAddress(masterEntry.Value, reader.KeyPath("master"), AddressRole.Upstream) is { } site)
            {
                master = site.Address;
            }

            var config = new FirehoseConfig
            {
                Name = name,
                Listen = listen,
                Master = master,
                StaleTimeout = reader.Duration("stale_timeout", defaults.StaleTimeout),
                StaleReapInterval = reader.Duration("stale_reap_interval", defaults.StaleReapInterval),
                MaxStaleClients = reader.Int("max_stale_clients", defaults.MaxStaleClients, min: 0),
                MissedMessages = reader.Int("missed_messages", defaults.MissedMessages, min: 0, max: 1_000_000),
                ClientQueue = reader.Int("client_queue", defaults.ClientQueue, min: 1, max: 1_000_000),
                MaxClients = reader.Int("max_clients", defaults.MaxClients, min: 1),
                MaxMessage = ReadByteSize(reader, "max_message", defaults.MaxMessage, min: 1, max: 64L << 20),
                HandshakeTimeout = reader.Duration("handshake_timeout", defaults.HandshakeTimeout),
                MaxConnectionsPerIp = reader.Int("max_connections_per_ip", defaults.MaxConnectionsPerIp, min: 0),
                MasterEvents = reader.Bool("master_events", defaults.MasterEvents),
                KeyFile = reader.String("key_file", allowEmpty: true) ?? defaults.KeyFile,
            };
            reader.ReportUnknownKeys();
            firehoses.Add(config);
        }

        return firehoses;
    }

    private static long ReadByteSize(TableReader reader, string key, long fallback, long min, long max)
    {
        if (reader.Get(key) is not { } entry)
        {
            return fallback;
        }

        var keyPath = reader.KeyPath(key);
        if (entry.Value is TomlScalarNode { Value: long or double } number)
        {
            reader.Error(number, keyPath, $"sizes are strings with a unit, e.g. \"1MiB\" or \"64KiB\"; got {number.Describe()}");
            return fallback;
        }

        if (reader.ReadString(entry.Value, keyPath) is not { } text)
        {
            return fallback;
        }

        if (!ByteSizeParser.TryParse(text, out var bytes, out var error))
        {
            reader.Error(entry.Value, keyPath, error!);
            return fallback;
        }

        if (bytes < min || bytes > max)
        {
            reader.Error(entry.Value, keyPath, $"must be between {ByteSizeParser.Format(min)} and {ByteSizeParser.Format(max)}, got {text}");
            return fallback;
        }

        return bytes;
    }
}
