using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

internal sealed partial class ConfigBinder
{
    private const int MinTokenLength = 8;

    private readonly Dictionary<string, TextLocation> _agentNames = new(StringComparer.Ordinal);

    private TunnelServerConfig? BindTunnelServer(TomlTableNode table)
    {
        var reader = new TableReader(table, "tunnel_server", _errors);
        var defaults = new TunnelServerConfig { Listen = default };
        HostPort? listen = null;
        if (reader.Get("listen") is not { } listenEntry)
        {
            reader.Missing("listen", "the address agents connect to, e.g. \"0.0.0.0:7000\"");
        }
        else if (reader.ReadAddress(listenEntry.Value, reader.KeyPath("listen"), AddressRole.Listener) is { } site)
        {
            AddListener(site);
            listen = site.Address;
        }

        var tls = reader.Bool("tls", defaults.Tls);
        var cert = reader.String("tls_cert", allowEmpty: true) ?? string.Empty;
        var key = reader.String("tls_key", allowEmpty: true) ?? string.Empty;
        if ((cert.Length == 0) != (key.Length == 0))
        {
            var missing = cert.Length == 0 ? "tls_cert" : "tls_key";
            _errors.Add(reader.Location, reader.KeyPath(missing), "tls_cert and tls_key go together: give both PEM files, or neither for a generated self-signed pair");
        }
        else if (!tls && cert.Length > 0)
        {
            _errors.Add(reader.Location, reader.KeyPath("tls_cert"), "tls_cert is set but tls = false: agents would connect in plain text; remove tls_cert/tls_key or set tls = true");
        }
        else if (cert.Length > 0)
        {
            CheckFileExists(reader, "tls_cert", cert);
            CheckFileExists(reader, "tls_key", key);
        }

        HostPort? websocket = null;
        if (reader.Get("websocket_listen") is { } wsEntry
            && !(wsEntry.Value is TomlScalarNode { Value: string { Length: 0 } })
            && reader.ReadAddress(wsEntry.Value, reader.KeyPath("websocket_listen"), AddressRole.Listener) is { } wsSite)
        {
            AddListener(wsSite);
            websocket = wsSite.Address;
        }

        var http = BindHttpEdge(reader, defaults);
        var handshake = reader.Duration("handshake_timeout", defaults.HandshakeTimeout);
        var heartbeat = reader.Duration("heartbeat_interval", defaults.HeartbeatInterval);
        var agents = BindTunnelAgents(reader);
        reader.ReportUnknownKeys();
        if (listen is null)
        {
            return null;
        }

        return http with
        {
            Listen = listen.Value,
            Tls = tls,
            TlsCert = cert,
            TlsKey = key,
            WebSocketListen = websocket,
            HandshakeTimeout = handshake,
            HeartbeatInterval = heartbeat,
            Agents = agents,
        };
    }

    private List<TunnelAgentConfig> BindTunnelAgents(TableReader server)
    {
        var tables = server.TableArray("agent");
        if (tables.Count == 0 && server.Get("agent") is null)
        {
            _errors.Add(server.Location, server.KeyPath("agent"), "no [[tunnel_server.agent]]: with none listed no agent can connect; add one with name, token and allow_ports/allow_forward");
        }

        var agents = new List<TunnelAgentConfig>();
        var defaults = new TunnelAgentConfig { Name = string.Empty, Token = string.Empty };
        for (var i = 0; i < tables.Count; i++)
        {
            var reader = new TableReader(tables[i], $"tunnel_server.agent[{i}]", _errors);
            var name = ReadName(reader, "tunnel_server.agent", _agentNames, fallback: null);
            var token = ReadToken(reader);
            var ports = ReadStrings(reader, "allow_ports", allowIntegers: true)
                .Select(s => PortRange.TryParse(s.Text, out var range, out var error) ? range : Report(s, error))
                .OfType<PortRange>()
                .ToList();
            var forwards = ReadStrings(reader, "allow_forward", allowIntegers: false)
                .Select(s => ForwardRule.TryParse(s.Text, out var rule, out var error) ? rule : Report<ForwardRule>(s, error))
                .OfType<ForwardRule>()
                .ToList();
            var hosts = ReadStrings(reader, "allow_hosts", allowIntegers: false)
                .Select(s => HttpHostName.TryNormalize(s.Text, out var host, out var error) ? host : Report<string>(s, error))
                .OfType<string>()
                .ToList();
            var maxConnections = reader.Int("max_connections", defaults.MaxConnections, min: 1);
            var idleTimeout = reader.Duration("idle_timeout", defaults.IdleTimeout, allowZero: true);
            reader.ReportUnknownKeys();
            agents.Add(new TunnelAgentConfig { Name = name, Token = token, AllowPorts = ports, AllowHosts = hosts, AllowForward = forwards, MaxConnections = maxConnections, IdleTimeout = idleTimeout });
        }

        return agents;
    }

    /// <summary>The HTTP edge keys of [tunnel_server]; the record returned carries only them.</summary>
    private TunnelServerConfig BindHttpEdge(TableReader reader, TunnelServerConfig defaults)
    {
        HostPort? OptionalListener(string key)
        {
            if (reader.Get(key) is { } entry
                && !(entry.Value is TomlScalarNode { Value: string { Length: 0 } })
                && reader.ReadAddress(entry.Value, reader.KeyPath(key), AddressRole.Listener) is { } site)
            {
                AddListener(site);
                return site.Address;
            }

            return null;
        }

        var http = OptionalListener("http_listen");
        var https = OptionalListener("https_listen");
        var cert = reader.String("https_cert", allowEmpty: true) ?? string.Empty;
        var key = reader.String("https_key", allowEmpty: true) ?? string.Empty;
        TextLocation Where(string key) => reader.Get(key)?.Value.Location ?? reader.Location;
        if (https is not null && (cert.Length == 0 || key.Length == 0))
        {
            _errors.Add(Where("https_listen"), reader.KeyPath(cert.Length == 0 ? "https_cert" : "https_key"), "https_listen needs https_cert and https_key (PEM files of the certificate for the public hosts, e.g. *.tunnel.example.com)");
        }
        else if (https is null && cert.Length > 0)
        {
            _errors.Add(Where("https_cert"), reader.KeyPath("https_cert"), "https_cert is set without https_listen: add https_listen or remove https_cert/https_key");
        }
        else if (cert.Length > 0)
        {
            CheckFileExists(reader, "https_cert", cert);
            CheckFileExists(reader, "https_key", key);
        }

        var domain = string.Empty;
        if (reader.Get("domain") is { } domainEntry && reader.ReadString(domainEntry.Value, reader.KeyPath("domain")) is { } domainText)
        {
            if (HttpHostName.TryNormalize(domainText, out var normalized, out var error))
            {
                domain = normalized;
            }
            else
            {
                reader.Error(domainEntry.Value, reader.KeyPath("domain"), error!);
            }
        }

        if (domain.Length > 0 && http is null && https is null)
        {
            _errors.Add(Where("domain"), reader.KeyPath("domain"), "domain is for HTTP tunnels: add http_listen (or https_listen) for the public edge");
        }

        return defaults with
        {
            HttpListen = http,
            HttpsListen = https,
            HttpsCert = cert,
            HttpsKey = key,
            Domain = domain,
            HttpTimeout = reader.Duration("http_timeout", defaults.HttpTimeout),
            HttpMaxHeaderBytes = (int)ReadByteSize(reader, "http_max_header_bytes", defaults.HttpMaxHeaderBytes, min: 1024, max: 1 << 20),
            HttpMaxBodyBytes = ReadByteSize(reader, "http_max_body", defaults.HttpMaxBodyBytes, min: 0, max: long.MaxValue),
        };
    }

    /// <summary>A file the config names must be there when the config is checked, not discovered missing at start.</summary>
    private void CheckFileExists(TableReader reader, string key, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(_errors.File)) ?? ".";
        var full = Path.GetFullPath(path, directory);
        if (!File.Exists(full) && reader.Get(key) is { } entry)
        {
            reader.Error(entry.Value, reader.KeyPath(key), $"file not found: {full}");
        }
    }

    private static string ReadToken(TableReader reader)
    {
        if (reader.Get("token") is not { } entry)
        {
            reader.Missing("token", "the shared secret this agent proves it knows; it never crosses the wire");
            return string.Empty;
        }

        var token = reader.ReadString(entry.Value, reader.KeyPath("token")) ?? string.Empty;
        if (token.Length is > 0 and < MinTokenLength)
        {
            reader.Error(entry.Value, reader.KeyPath("token"), $"too short: use at least {MinTokenLength} characters (a long random string is best)");
        }

        return token;
    }

    /// <summary>An array of strings (integers too where a bare port makes sense); empty when absent.</summary>
    private static List<StringSite> ReadStrings(TableReader reader, string key, bool allowIntegers)
    {
        var sites = new List<StringSite>();
        if (reader.Get(key) is not { } entry)
        {
            return sites;
        }

        var keyPath = reader.KeyPath(key);
        if (entry.Value is not TomlArrayNode { IsTableArray: false } array)
        {
            reader.Error(entry.Value, keyPath, $"expected an array of strings, e.g. [\"...\"], got {entry.Value.Describe()}");
            return sites;
        }

        for (var i = 0; i < array.Items.Count; i++)
        {
            var itemPath = $"{keyPath}[{i}]";
            switch (array.Items[i])
            {
                case TomlScalarNode { Value: string text } node:
                    sites.Add(new StringSite(text, node, itemPath, reader));
                    break;
                case TomlScalarNode { Value: long number } node when allowIntegers:
                    sites.Add(new StringSite(number.ToString(System.Globalization.CultureInfo.InvariantCulture), node, itemPath, reader));
                    break;
                case var other:
                    reader.Error(other, itemPath, $"expected a string, got {other.Describe()}");
                    break;
            }
        }

        return sites;
    }

    private static PortRange? Report(StringSite site, string? error)
    {
        site.Reader.Error(site.Node, site.KeyPath, error ?? "invalid");
        return null;
    }

    private static T? Report<T>(StringSite site, string? error)
        where T : class
    {
        site.Reader.Error(site.Node, site.KeyPath, error ?? "invalid");
        return null;
    }

    private sealed record StringSite(string Text, TomlNode Node, string KeyPath, TableReader Reader);
}
