using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly (string, BalancePolicyKind)[] BalancePolicies =
    [
        ("round_robin", BalancePolicyKind.RoundRobin),
        ("least_connections", BalancePolicyKind.LeastConnections),
        ("power_of_two", BalancePolicyKind.PowerOfTwo),
        ("random", BalancePolicyKind.Random),
        ("source_hash", BalancePolicyKind.SourceHash),
    ];

    private List<ClusterConfig> BindClusters(IReadOnlyList<TomlTableNode> tables)
    {
        var clusters = new List<ClusterConfig>();
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"cluster[{i}]", _errors);
            var name = ReadName(reader, "cluster", _clusterNames, fallback: null);
            var balance = reader.Enum("balance", BalancePolicyKind.RoundRobin, BalancePolicies);
            var upstreams = ReadUpstreams(reader);
            var health = reader.Table("health") is { } healthTable
                ? BindHealth(new TableReader(healthTable, reader.KeyPath("health"), _errors))
                : null;
            var passive = reader.Table("passive") is { } passiveTable
                ? BindPassive(new TableReader(passiveTable, reader.KeyPath("passive"), _errors))
                : new PassiveHealthConfig();
            reader.ReportUnknownKeys();
            clusters.Add(new ClusterConfig { Name = name, Balance = balance, Upstreams = upstreams, Health = health, Passive = passive });
        }

        return clusters;
    }

    /// <summary>Each upstream is "host:port" or { address = "host:port", weight = n }.</summary>
    private List<UpstreamConfig> ReadUpstreams(TableReader reader)
    {
        var upstreams = new List<UpstreamConfig>();
        var keyPath = reader.KeyPath("upstreams");
        switch (reader.Get("upstreams")?.Value)
        {
            case null:
                reader.Missing("upstreams", "the backends to forward to, e.g. [\"10.0.0.5:6379\"]");
                return upstreams;
            case TomlArrayNode { IsTableArray: false } array:
                if (array.Items.Count == 0)
                {
                    reader.Error(array, keyPath, "a cluster needs at least one upstream");
                }

                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (ReadUpstream(reader, array.Items[i], $"{keyPath}[{i}]") is { } upstream)
                    {
                        upstreams.Add(upstream);
                    }
                }

                return upstreams;
            case var other:
                reader.Error(other, keyPath, $"expected an array of upstreams, e.g. [\"10.0.0.5:6379\"], got {other.Describe()}");
                return upstreams;
        }
    }

    private UpstreamConfig? ReadUpstream(TableReader owner, TomlNode node, string keyPath)
    {
        if (node is not TomlTableNode table)
        {
            return owner.ReadAddress(node, keyPath, AddressRole.Upstream) is { } site
                ? new UpstreamConfig { Address = site.Address }
                : null;
        }

        var reader = new TableReader(table, keyPath, _errors);
        AddressSite? address = null;
        if (reader.Get("address") is { } entry)
        {
            address = reader.ReadAddress(entry.Value, reader.KeyPath("address"), AddressRole.Upstream);
        }
        else
        {
            reader.Missing("address", "the upstream's \"host:port\"");
        }

        var weight = reader.Int("weight", fallback: 1, min: 1, max: 1000);
        reader.ReportUnknownKeys();
        return address is null ? null : new UpstreamConfig { Address = address.Address, Weight = weight };
    }

    private static HealthCheckConfig BindHealth(TableReader reader)
    {
        var defaults = new HealthCheckConfig();
        var interval = reader.Duration("interval", defaults.Interval);
        var timeout = reader.Duration("timeout", defaults.Timeout);
        if (timeout > interval)
        {
            // A check that may outlive its interval would overlap the next one.
            var at = reader.Get("timeout")?.Value.Location ?? reader.Get("interval")?.Value.Location ?? reader.Location;
            reader.Errors.Add(at, reader.KeyPath("timeout"), $"must not be longer than interval ({DurationParser.Format(timeout)} > {DurationParser.Format(interval)})");
        }

        var config = new HealthCheckConfig
        {
            Interval = interval,
            Timeout = timeout,
            Rise = reader.Int("rise", defaults.Rise, min: 1),
            Fall = reader.Int("fall", defaults.Fall, min: 1),
            Send = reader.String("send"),
            Expect = reader.String("expect"),
        };
        reader.ReportUnknownKeys();
        return config;
    }

    private static PassiveHealthConfig BindPassive(TableReader reader)
    {
        var defaults = new PassiveHealthConfig();
        var config = new PassiveHealthConfig
        {
            MaxFailures = reader.Int("max_failures", defaults.MaxFailures, min: 0),
            EjectionTime = reader.Duration("ejection_time", defaults.EjectionTime),
        };
        reader.ReportUnknownKeys();
        return config;
    }
}
