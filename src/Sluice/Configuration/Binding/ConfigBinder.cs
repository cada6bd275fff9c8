using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

/// <summary>
/// Turns the resolved TOML tree into config records, checking every key on the way. It never stops at
/// the first problem: each section is read to the end with defaults standing in for bad values, so
/// one run reports everything wrong with the file.
/// </summary>
internal sealed partial class ConfigBinder
{
    private readonly ConfigErrorCollector _errors;

    private ConfigBinder(ConfigErrorCollector errors)
    {
        _errors = errors;
    }

    /// <summary>The records built from <paramref name="root"/>; meaningless if errors were added.</summary>
    public static SluiceConfig Bind(TomlTableNode root, ConfigErrorCollector errors) => new ConfigBinder(errors).BindRoot(root);

    private SluiceConfig BindRoot(TomlTableNode root)
    {
        var reader = new TableReader(root, string.Empty, _errors);
        var server = reader.Table("server") is { } serverTable ? BindServer(serverTable) : new ServerConfig();
        var admin = reader.Table("admin") is { } adminTable ? BindAdmin(adminTable) : null;
        var echoes = BindEchoes(reader.TableArray("echo"));
        var clusters = BindClusters(reader.TableArray("cluster"));
        var proxies = BindProxies(reader.TableArray("proxy"));
        var firehoses = BindFirehoses(reader.TableArray("firehose"));
        var tunnelServer = reader.Table("tunnel_server") is { } tunnelTable ? BindTunnelServer(tunnelTable) : null;
        reader.ReportUnknownKeys();
        CheckListenConflicts();
        CheckClusterReferences();
        return new SluiceConfig
        {
            Server = server,
            Admin = admin,
            Echoes = echoes,
            Clusters = clusters,
            Proxies = proxies,
            Firehoses = firehoses,
            TunnelServer = tunnelServer,
        };
    }

    private ServerConfig BindServer(TomlTableNode table)
    {
        var reader = new TableReader(table, "server", _errors);
        var defaults = new ServerConfig();
        var config = new ServerConfig
        {
            LogLevel = reader.Enum("log_level", defaults.LogLevel, LogLevels),
            LogFormat = reader.Enum("log_format", defaults.LogFormat, LogFormats),
            ShutdownTimeout = reader.Duration("shutdown_timeout", defaults.ShutdownTimeout),
            MaxConnections = reader.Int("max_connections", defaults.MaxConnections, min: 1),
            AccessLog = reader.Bool("access_log", defaults.AccessLog),
        };
        reader.ReportUnknownKeys();
        return config;
    }

    private AdminConfig? BindAdmin(TomlTableNode table)
    {
        var reader = new TableReader(table, "admin", _errors);
        AdminConfig? config = null;
        if (reader.Get("listen") is not { } entry)
        {
            reader.Missing("listen", "the admin endpoint's address, e.g. \"127.0.0.1:9901\"; remove [admin] to turn it off");
        }
        else if (reader.ReadAddress(entry.Value, reader.KeyPath("listen"), AddressRole.Listener) is { } site)
        {
            AddListener(site);
            config = new AdminConfig { Listen = site.Address };
        }

        reader.ReportUnknownKeys();
        return config;
    }

    private List<EchoConfig> BindEchoes(IReadOnlyList<TomlTableNode> tables)
    {
        var echoes = new List<EchoConfig>();
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"echo[{i}]", _errors);
            var name = ReadName(reader, "echo", _echoNames, fallback: $"echo-{i}");
            var listen = ReadListeners(reader, "the address to serve echo on, e.g. \"127.0.0.1:9001\"");
            reader.ReportUnknownKeys();
            echoes.Add(new EchoConfig { Name = name, Listen = listen });
        }

        return echoes;
    }

    private List<ProxyRouteConfig> BindProxies(IReadOnlyList<TomlTableNode> tables)
    {
        var proxies = new List<ProxyRouteConfig>();
        var defaults = new ProxyRouteConfig { Name = string.Empty, Listen = [], Cluster = string.Empty };
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"proxy[{i}]", _errors);
            var name = ReadName(reader, "proxy", _proxyNames, fallback: null);
            var listen = ReadListeners(reader, "the address clients connect to, e.g. \"127.0.0.1:6380\"");
            var cluster = ReadClusterReference(reader);
            proxies.Add(new ProxyRouteConfig
            {
                Name = name,
                Listen = listen,
                Cluster = cluster,
                ConnectTimeout = reader.Duration("connect_timeout", defaults.ConnectTimeout),
                IdleTimeout = reader.Duration("idle_timeout", defaults.IdleTimeout, allowZero: true),
                MaxConnections = reader.Int("max_connections", defaults.MaxConnections, min: 1),
                ConnectAttempts = reader.Int("connect_attempts", defaults.ConnectAttempts, min: 1, max: 100),
            });
            reader.ReportUnknownKeys();
        }

        return proxies;
    }

    private List<HostPort> ReadListeners(TableReader reader, string why)
    {
        var sites = reader.Addresses("listen", AddressRole.Listener);
        if (sites is null)
        {
            reader.Missing("listen", why);
            return [];
        }

        foreach (var site in sites)
        {
            AddListener(site);
        }

        return [.. sites.Select(s => s.Address)];
    }

    private static readonly (string, LogLevelSetting)[] LogLevels =
    [
        ("trace", LogLevelSetting.Trace),
        ("debug", LogLevelSetting.Debug),
        ("info", LogLevelSetting.Info),
        ("warn", LogLevelSetting.Warn),
        ("error", LogLevelSetting.Error),
    ];

    private static readonly (string, LogFormat)[] LogFormats =
    [
        ("text", LogFormat.Text),
        ("json", LogFormat.Json),
    ];
}
