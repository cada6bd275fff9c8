using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

internal sealed partial class ConfigBinder
{
    private readonly Dictionary<string, TextLocation> _exposeNames = new(StringComparer.Ordinal);

    /// <summary>The records of an agent file (`[agent]`, `[[expose]]`, `[[forward]]`); meaningless if errors were added.</summary>
    public static AgentConfig? BindAgentFile(TomlTableNode root, ConfigErrorCollector errors) => new ConfigBinder(errors).BindAgentRoot(root);

    private AgentConfig? BindAgentRoot(TomlTableNode root)
    {
        var reader = new TableReader(root, string.Empty, _errors);
        var agentTable = reader.Table("agent");
        AgentConfig? agent = null;
        if (agentTable is null)
        {
            _errors.Add(root.Location, "agent", "missing [agent] table (server, name, token): this is an agent file for `sluice agent`");
        }
        else
        {
            agent = BindAgent(agentTable);
        }

        var exposes = BindExposes(reader.TableArray("expose"));
        var forwards = BindForwards(reader.TableArray("forward"));
        reader.ReportUnknownKeys();
        CheckListenConflicts();
        if (agent is not null && exposes.Count == 0 && forwards.Count == 0)
        {
            _errors.Add(root.Location, "expose", "the agent has nothing to do: add an [[expose]] (reverse tunnel) or a [[forward]] (SOCKS5 or fixed target)");
        }

        return agent is null ? null : agent with { Exposes = exposes, Forwards = forwards };
    }

    private AgentConfig BindAgent(TomlTableNode table)
    {
        var reader = new TableReader(table, "agent", _errors);
        var defaults = new AgentConfig { Server = string.Empty, Name = string.Empty, Token = string.Empty };
        var server = ReadAgentServer(reader);
        var name = ReadName(reader, "agent", new Dictionary<string, TextLocation>(StringComparer.Ordinal), fallback: null);
        reader.Path = "agent";
        var token = ReadToken(reader);
        var tls = reader.Bool("tls", defaults.Tls);
        string? fingerprint = null;
        if (reader.Get("server_fingerprint") is { } pinEntry && reader.ReadString(pinEntry.Value, reader.KeyPath("server_fingerprint")) is { } pinText)
        {
            if (Fingerprint.TryNormalize(pinText, out var normalized, out var error))
            {
                fingerprint = normalized;
            }
            else
            {
                reader.Error(pinEntry.Value, reader.KeyPath("server_fingerprint"), error!);
            }
        }

        var caFile = reader.String("ca_file");
        if (caFile is not null)
        {
            CheckFileExists(reader, "ca_file", caFile);
        }
        if (fingerprint is not null && caFile is not null)
        {
            _errors.Add(reader.Location, reader.KeyPath("ca_file"), "give server_fingerprint or ca_file, not both");
        }

        var usesTls = server.StartsWith("wss://", StringComparison.OrdinalIgnoreCase) || (tls && !server.StartsWith("ws://", StringComparison.OrdinalIgnoreCase));
        if (!usesTls && (fingerprint is not null || caFile is not null))
        {
            _errors.Add(reader.Location, reader.KeyPath(fingerprint is not null ? "server_fingerprint" : "ca_file"), "has no effect without TLS (tls = false or a ws:// server)");
        }

        var config = new AgentConfig
        {
            Server = server,
            Name = name,
            Token = token,
            Tls = tls,
            ServerFingerprint = fingerprint,
            CaFile = caFile,
            ReconnectMinDelay = reader.Duration("reconnect_min_delay", defaults.ReconnectMinDelay),
            ReconnectMaxDelay = reader.Duration("reconnect_max_delay", defaults.ReconnectMaxDelay),
            ConnectTimeout = reader.Duration("connect_timeout", defaults.ConnectTimeout),
            LogLevel = reader.Enum("log_level", defaults.LogLevel, LogLevels),
        };
        reader.ReportUnknownKeys();
        return config;
    }

    private static string ReadAgentServer(TableReader reader)
    {
        if (reader.Get("server") is not { } entry)
        {
            reader.Missing("server", "the tunnel server, \"host:port\" or \"wss://host/tunnel\"");
            return string.Empty;
        }

        if (reader.ReadString(entry.Value, reader.KeyPath("server")) is not { } text)
        {
            return string.Empty;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
            {
                reader.Error(entry.Value, reader.KeyPath("server"), $"\"{text}\": a URL server must be ws:// or wss://");
            }
        }
        else if (!HostPort.TryParse(text, out var address, out var error) || address.Port == 0)
        {
            reader.Error(entry.Value, reader.KeyPath("server"), error ?? $"\"{text}\": the server port must be 1-65535");
        }

        return text;
    }

    private List<ExposeConfig> BindExposes(IReadOnlyList<TomlTableNode> tables)
    {
        var exposes = new List<ExposeConfig>();
        var ports = new Dictionary<int, TextLocation>();
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"expose[{i}]", _errors);
            var name = ReadName(reader, "expose", _exposeNames, fallback: null);
            var remotePort = 0;
            if (reader.Get("remote_port") is null)
            {
                reader.Missing("remote_port", "the public port on the server, within the agent's allow_ports there");
            }
            else
            {
                remotePort = reader.Int("remote_port", 0, min: 1, max: 65535);
                if (remotePort != 0 && !ports.TryAdd(remotePort, reader.Get("remote_port")!.Value.Location))
                {
                    _errors.Add(reader.Get("remote_port")!.Value.Location, reader.KeyPath("remote_port"), $"port {remotePort} is already exposed on line {ports[remotePort].Line}");
                }
            }

            HostPort local = default;
            if (reader.Get("local") is not { } localEntry)
            {
                reader.Missing("local", "the service beside the agent, e.g. \"127.0.0.1:6379\"");
            }
            else if (reader.ReadAddress(localEntry.Value, reader.KeyPath("local"), AddressRole.Upstream) is { } site)
            {
                local = site.Address;
            }

            var connectTimeout = reader.Duration("connect_timeout", TimeSpan.FromSeconds(5));
            reader.ReportUnknownKeys();
            exposes.Add(new ExposeConfig { Name = name, RemotePort = remotePort, Local = local, ConnectTimeout = connectTimeout });
        }

        return exposes;
    }

    private List<ForwardConfig> BindForwards(IReadOnlyList<TomlTableNode> tables)
    {
        var forwards = new List<ForwardConfig>();
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"forward[{i}]", _errors);
            HostPort listen = default;
            if (reader.Get("listen") is not { } listenEntry)
            {
                reader.Missing("listen", "the local address to accept on, e.g. \"127.0.0.1:1080\"");
            }
            else if (reader.ReadAddress(listenEntry.Value, reader.KeyPath("listen"), AddressRole.Listener) is { } site)
            {
                AddListener(site);
                listen = site.Address;
            }

            var socks5 = reader.Bool("socks5", false);
            HostPort? target = null;
            if (reader.Get("target") is { } targetEntry && reader.ReadAddress(targetEntry.Value, reader.KeyPath("target"), AddressRole.Upstream) is { } targetSite)
            {
                target = targetSite.Address;
            }

            if (socks5 && reader.Get("target") is not null)
            {
                _errors.Add(reader.Location, reader.KeyPath("target"), "a SOCKS5 forward takes its destination from each client; remove target or set socks5 = false");
            }
            else if (!socks5 && reader.Get("target") is null)
            {
                reader.Missing("target", "the destination reached through the server, e.g. \"db.internal:5432\" (or socks5 = true)");
            }

            var username = reader.String("username");
            var password = reader.String("password");
            if ((username is null) != (password is null))
            {
                _errors.Add(reader.Location, reader.KeyPath(username is null ? "username" : "password"), "username and password go together");
            }
            else if (username is not null && !socks5)
            {
                _errors.Add(reader.Location, reader.KeyPath("username"), "username/password apply to SOCKS5 forwards only");
            }

            reader.ReportUnknownKeys();
            forwards.Add(new ForwardConfig { Listen = listen, Socks5 = socks5, Target = target, Username = username, Password = password });
        }

        return forwards;
    }
}
