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
            Inspect = ReadInspect(reader),
            InspectBodyBytes = (int)ReadByteSize(reader, "inspect_body_bytes", defaults.InspectBodyBytes, min: 0, max: 1 << 20),
            InspectMaxRequests = reader.Int("inspect_max_requests", defaults.InspectMaxRequests, min: 1, max: 10_000),
        };
        reader.ReportUnknownKeys();
        return config;
    }

    /// <summary>The inspector's default address, for <c>inspect = true</c>.</summary>
    private static readonly HostPort DefaultInspect = new("127.0.0.1", 4040);

    /// <summary>"127.0.0.1:4040", a bare port (loopback), true (127.0.0.1:4040), or false / absent for none.</summary>
    private HostPort? ReadInspect(TableReader reader)
    {
        if (reader.Get("inspect") is not { } entry || entry.Value is TomlScalarNode { Value: false })
        {
            return null;
        }

        var node = entry.Value;
        var keyPath = reader.KeyPath("inspect");
        HostPort? address = node switch
        {
            TomlScalarNode { Value: true } => DefaultInspect,
            TomlScalarNode { Value: long port } when port is >= 0 and <= 65535 => new HostPort("127.0.0.1", (int)port),
            TomlScalarNode { Value: string text } when int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bare) && bare <= 65535 => new HostPort("127.0.0.1", bare),
            TomlScalarNode { Value: long port } => Invalid($"port {port} is not 0-65535"),
            _ => reader.ReadAddress(node, keyPath, AddressRole.Listener)?.Address,
        };

        if (address is { } listen)
        {
            AddListener(new AddressSite(listen, node.Location, keyPath));
        }

        return address;

        HostPort? Invalid(string message)
        {
            reader.Error(node, keyPath, message);
            return null;
        }
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
        var hosts = new Dictionary<string, TextLocation>(StringComparer.Ordinal);
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"expose[{i}]", _errors);
            var httpHost = ReadHttpHost(reader, hosts);
            var name = ReadName(reader, "expose", _exposeNames, fallback: httpHost);
            var remotePort = 0;
            if (httpHost is not null)
            {
                if (reader.Get("remote_port") is { } both)
                {
                    reader.Error(both.Value, reader.KeyPath("remote_port"), "an [[expose]] is either a TCP tunnel (remote_port) or an HTTP tunnel (http_host), not both");
                }
            }
            else if (reader.Get("remote_port") is null)
            {
                reader.Missing("remote_port", "the public port on the server, within the agent's allow_ports there (or http_host for an HTTP tunnel)");
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
            var (basicAuth, authHeader, hostHeader) = ReadHttpOptions(reader, httpHost is not null, local);
            reader.ReportUnknownKeys();
            exposes.Add(new ExposeConfig
            {
                Name = name,
                RemotePort = remotePort,
                Local = local,
                ConnectTimeout = connectTimeout,
                HttpHost = httpHost,
                BasicAuth = basicAuth,
                AuthHeader = authHeader,
                HostHeader = hostHeader,
            });
        }

        if (exposes.Count(e => e.IsHttp) > MaxHttpExposes)
        {
            _errors.Add(tables[0].Location, "expose", $"at most {MaxHttpExposes} HTTP tunnels per agent (they register in one 8 KiB control message)");
        }

        return exposes;
    }

    private const int MaxHttpExposes = 32;

    private static string? ReadHttpHost(TableReader reader, Dictionary<string, TextLocation> seen)
    {
        if (reader.Get("http_host") is not { } entry || reader.ReadString(entry.Value, reader.KeyPath("http_host")) is not { } text)
        {
            return null;
        }

        if (!HttpHostName.TryNormalize(text, out var host, out var error))
        {
            reader.Error(entry.Value, reader.KeyPath("http_host"), error!);
            return null;
        }

        if (!seen.TryAdd(host, entry.Value.Location))
        {
            reader.Error(entry.Value, reader.KeyPath("http_host"), $"host \"{host}\" is already exposed on line {seen[host].Line}");
        }

        return host;
    }

    /// <summary>basic_auth, auth_header and host_header: HTTP tunnels only.</summary>
    private static (string? BasicAuth, (string, string)? AuthHeader, string? HostHeader) ReadHttpOptions(TableReader reader, bool isHttp, HostPort local)
    {
        foreach (var key in (string[])["basic_auth", "auth_header", "host_header"])
        {
            if (!isHttp && reader.Get(key) is { } entry)
            {
                reader.Error(entry.Value, reader.KeyPath(key), $"{key} applies to HTTP tunnels (http_host) only");
            }
        }

        if (!isHttp)
        {
            return (null, null, null);
        }

        var basic = reader.String("basic_auth");
        if (basic is not null && (basic.IndexOf(':', StringComparison.Ordinal) is <= 0 || basic.EndsWith(':')))
        {
            reader.Error(reader.Get("basic_auth")!.Value, reader.KeyPath("basic_auth"), "expected \"user:password\", both non-empty");
            basic = null;
        }

        (string, string)? header = null;
        if (reader.String("auth_header") is { } headerText)
        {
            var colon = headerText.IndexOf(':', StringComparison.Ordinal);
            var headerName = colon > 0 ? headerText[..colon].Trim() : string.Empty;
            var value = colon > 0 ? headerText[(colon + 1)..].Trim() : string.Empty;
            if (headerName.Length == 0 || value.Length < MinTokenLength || !headerName.All(c => c > ' ' && c < 127 && c != ':'))
            {
                reader.Error(reader.Get("auth_header")!.Value, reader.KeyPath("auth_header"), $"expected \"Header-Name: token\", the token at least {MinTokenLength} characters");
            }
            else
            {
                header = (headerName, value);
            }
        }

        if (basic is not null && header is not null)
        {
            reader.Error(reader.Get("auth_header")!.Value, reader.KeyPath("auth_header"), "give basic_auth or auth_header, not both");
        }

        var hostHeader = reader.String("host_header");
        if (hostHeader is "rewrite")
        {
            hostHeader = local.ToString();
        }
        else if (hostHeader is not null && (hostHeader.Length == 0 || hostHeader.Any(char.IsWhiteSpace)))
        {
            reader.Error(reader.Get("host_header")!.Value, reader.KeyPath("host_header"), "expected \"rewrite\" (the local address) or a host, e.g. \"localhost:3000\"");
            hostHeader = null;
        }

        return (basic, header, hostHeader);
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
