using Sluice.Configuration;

namespace Sluice.Tests.Tunnels;

/// <summary>The HTTP tunnel keys of both files: the server's edge and allow_hosts, the agent's http exposes and inspector.</summary>
public sealed class HttpTunnelConfigTests
{
    private const string Server = "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n";
    private const string Agent = "[[tunnel_server.agent]]\nname = \"office\"\ntoken = \"change-me-please\"\n";

    [Fact]
    public void The_server_edge_keys_load_normalized()
    {
        using var files = new PemFiles();
        var text = $"""
            [tunnel_server]
            listen = "127.0.0.1:7000"
            http_listen = "127.0.0.1:8080"
            https_listen = "127.0.0.1:8443"
            https_cert = "{files.Cert}"
            https_key = "{files.Key}"
            domain = "Tunnel.Example.COM."
            http_timeout = "90s"
            http_max_header_bytes = "64KiB"
            http_max_body = "10MiB"

            [[tunnel_server.agent]]
            name = "office"
            token = "change-me-please"
            allow_hosts = ["shop", "App.Example.org"]
            """;
        var result = ConfigLoader.Parse(text, "sluice.toml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var server = result.Config.TunnelServer!;
        Assert.Equal(new HostPort("127.0.0.1", 8080), server.HttpListen);
        Assert.Equal(new HostPort("127.0.0.1", 8443), server.HttpsListen);
        Assert.Equal((files.Cert, files.Key), (server.HttpsCert, server.HttpsKey));
        Assert.Equal("tunnel.example.com", server.Domain);
        Assert.Equal(TimeSpan.FromSeconds(90), server.HttpTimeout);
        Assert.Equal(64 * 1024, server.HttpMaxHeaderBytes);
        Assert.Equal(10L << 20, server.HttpMaxBodyBytes);
        Assert.True(server.HasHttpEdge);
        Assert.Equal(["shop", "app.example.org"], server.Agents[0].AllowHosts);
    }

    [Fact]
    public void Without_edge_keys_the_server_has_no_http_edge_and_the_documented_defaults()
    {
        var result = ConfigLoader.Parse(Server + Agent, "sluice.toml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var server = result.Config.TunnelServer!;
        Assert.False(server.HasHttpEdge);
        Assert.Null(server.HttpListen);
        Assert.Equal(string.Empty, server.Domain);
        Assert.Equal(TimeSpan.FromSeconds(60), server.HttpTimeout);
        Assert.Equal(32 * 1024, server.HttpMaxHeaderBytes);
        Assert.Equal(0, server.HttpMaxBodyBytes);
        Assert.Empty(server.Agents[0].AllowHosts);
    }

    [Fact]
    public void An_empty_http_listen_means_no_edge()
    {
        var result = ConfigLoader.Parse(Server + "http_listen = \"\"\n" + Agent, "sluice.toml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.False(result.Config.TunnelServer!.HasHttpEdge);
    }

    public static TheoryData<string, int, string, string> InvalidServerFiles => new()
    {
        { Server + "https_listen = \"127.0.0.1:8443\"\n" + Agent, 3, "tunnel_server.https_cert", "https_listen needs https_cert and https_key" },
        { Server + "https_listen = \"127.0.0.1:8443\"\nhttps_cert = \"c.pem\"\n" + Agent, 3, "tunnel_server.https_key", "https_listen needs https_cert and https_key" },
        { Server + "https_cert = \"c.pem\"\nhttps_key = \"k.pem\"\n" + Agent, 3, "tunnel_server.https_cert", "https_cert is set without https_listen" },
        { Server + "https_listen = \"127.0.0.1:8443\"\nhttps_cert = \"/nonexistent/c.pem\"\nhttps_key = \"/nonexistent/k.pem\"\n" + Agent, 4, "tunnel_server.https_cert", "file not found: /nonexistent/c.pem" },
        { Server + "domain = \"tunnel.example.com\"\n" + Agent, 3, "tunnel_server.domain", "add http_listen (or https_listen)" },
        { Server + "http_listen = \"127.0.0.1:8080\"\ndomain = \"tunnel_example.com\"\n" + Agent, 4, "tunnel_server.domain", "\"tunnel_example.com\" is not a host name" },
        { Server + "http_listen = \"edge.example.com:80\"\n" + Agent, 3, "tunnel_server.http_listen", "listen on an IP address or \"localhost\"" },
        { Server + "http_listen = \"127.0.0.1\"\n" + Agent, 3, "tunnel_server.http_listen", "has no port" },
        { Server + "http_listen = \"127.0.0.1:7000\"\n" + Agent, 3, "tunnel_server.http_listen", "already used by tunnel_server.listen" },
        { Server + "https_listen = 8443\n" + Agent, 3, "tunnel_server.https_listen", "expected an address string" },
        { Server + "http_listen = \"127.0.0.1:8080\"\nhttp_timeout = \"0s\"\n" + Agent, 4, "tunnel_server.http_timeout", "greater than zero" },
        { Server + "http_listen = \"127.0.0.1:8080\"\nhttp_max_header_bytes = \"512B\"\n" + Agent, 4, "tunnel_server.http_max_header_bytes", "must be between 1KiB and 1MiB" },
        { Server + "http_listen = \"127.0.0.1:8080\"\nhttp_max_body = 1000\n" + Agent, 4, "tunnel_server.http_max_body", "sizes are strings with a unit" },
        { Server + "http_lsiten = \"127.0.0.1:8080\"\n" + Agent, 3, "tunnel_server.http_lsiten", "did you mean \"http_listen\"" },
        { Server + Agent + "allow_hosts = [\"shop\", \"bad_host\"]\n", 6, "tunnel_server.agent \"office\".allow_hosts[1]", "\"bad_host\" is not a host name" },
        { Server + Agent + "allow_hosts = [\"-shop.example.org\"]\n", 6, "tunnel_server.agent \"office\".allow_hosts[0]", "not starting or ending with '-'" },
        { Server + Agent + "allow_hosts = \"shop\"\n", 6, "tunnel_server.agent \"office\".allow_hosts", "expected an array of strings" },
    };

    [Theory]
    [MemberData(nameof(InvalidServerFiles))]
    public void Bad_edge_config_names_line_key_and_what_is_expected(string text, int line, string key, string words)
    {
        var result = ConfigLoader.Parse(text, "sluice.toml");
        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Line == line && e.Key == key && e.Message.Contains(words, StringComparison.Ordinal));
    }

    private const string AgentHead = "[agent]\nserver = \"127.0.0.1:7000\"\nname = \"office\"\ntoken = \"change-me-please\"\n";
    private const string HttpExpose = "[[expose]]\nhttp_host = \"office\"\nlocal = \"127.0.0.1:3000\"\n";
    private const string TcpExpose = "[[expose]]\nname = \"redis\"\nremote_port = 20001\nlocal = \"127.0.0.1:6379\"\n";

    [Fact]
    public void The_agent_http_keys_load()
    {
        const string text = """
            [agent]
            server = "127.0.0.1:7000"
            name = "office"
            token = "change-me-please"
            inspect = "127.0.0.1:4041"
            inspect_body_bytes = "16KiB"
            inspect_max_requests = 50

            [[expose]]
            http_host = "Office"
            local = "127.0.0.1:3000"
            basic_auth = "bob:pass:with:colons"
            host_header = "rewrite"

            [[expose]]
            name = "shop"
            http_host = "Shop.Example.org"
            local = "localhost:8080"
            auth_header = "X-Tunnel-Token:  0123456789abcdef "
            host_header = "shop.local:8080"

            [[expose]]
            name = "redis"
            remote_port = 20001
            local = "127.0.0.1:6379"
            """;
        var (config, errors) = AgentConfigLoader.Parse(text, "agent.toml");
        Assert.Empty(errors);
        Assert.Equal(new HostPort("127.0.0.1", 4041), config!.Inspect);
        Assert.Equal(16 * 1024, config.InspectBodyBytes);
        Assert.Equal(50, config.InspectMaxRequests);

        var office = config.Exposes[0];
        Assert.Equal(("office", "office", 0, true), (office.Name, office.HttpHost, office.RemotePort, office.IsHttp));
        Assert.Equal("bob:pass:with:colons", office.BasicAuth);
        Assert.Null(office.AuthHeader);
        Assert.Equal("127.0.0.1:3000", office.HostHeader); // "rewrite" = the local address

        var shop = config.Exposes[1];
        Assert.Equal(("shop", "shop.example.org"), (shop.Name, shop.HttpHost));
        Assert.Equal(("X-Tunnel-Token", "0123456789abcdef"), shop.AuthHeader);
        Assert.Null(shop.BasicAuth);
        Assert.Equal("shop.local:8080", shop.HostHeader);

        var redis = config.Exposes[2];
        Assert.False(redis.IsHttp);
        Assert.Null(redis.HttpHost);
        Assert.Equal(20001, redis.RemotePort);
    }

    [Fact]
    public void Without_inspect_keys_there_is_no_inspector_and_the_documented_defaults()
    {
        var (config, errors) = AgentConfigLoader.Parse(AgentHead + HttpExpose, "agent.toml");
        Assert.Empty(errors);
        Assert.Null(config!.Inspect);
        Assert.Equal(64 * 1024, config.InspectBodyBytes);
        Assert.Equal(200, config.InspectMaxRequests);
        Assert.Null(config.Exposes[0].HostHeader); // the local service sees the public Host
    }

    [Theory]
    [InlineData("inspect = 4040", "127.0.0.1", 4040)]
    [InlineData("inspect = \"4040\"", "127.0.0.1", 4040)]
    [InlineData("inspect = \"0.0.0.0:4040\"", "0.0.0.0", 4040)]
    [InlineData("inspect = \"[::1]:4040\"", "::1", 4040)]
    [InlineData("inspect = true", "127.0.0.1", 4040)]
    public void Inspect_as_a_bare_port_is_loopback(string line, string host, int port)
    {
        var (config, errors) = AgentConfigLoader.Parse(AgentHead + line + "\n" + HttpExpose, "agent.toml");
        Assert.Empty(errors);
        Assert.Equal(new HostPort(host, port), config!.Inspect);
    }

    [Fact]
    public void Inspect_false_turns_the_inspector_off()
    {
        var (config, errors) = AgentConfigLoader.Parse(AgentHead + "inspect = false\n" + HttpExpose, "agent.toml");
        Assert.Empty(errors);
        Assert.Null(config!.Inspect);
    }

    public static TheoryData<string, int, string, string> InvalidAgentFiles => new()
    {
        { AgentHead + "[[expose]]\nname = \"web\"\nhttp_host = \"office\"\nremote_port = 20001\nlocal = \"127.0.0.1:3000\"\n", 8, "expose \"web\".remote_port", "either a TCP tunnel (remote_port) or an HTTP tunnel (http_host), not both" },
        { AgentHead + "[[expose]]\nname = \"web\"\nlocal = \"127.0.0.1:3000\"\n", 5, "expose \"web\".remote_port", "or http_host for an HTTP tunnel" },
        { AgentHead + HttpExpose + "basic_auth = \"bob\"\n", 8, "expose[0].basic_auth", "expected \"user:password\", both non-empty" },
        { AgentHead + HttpExpose + "basic_auth = \"bob:\"\n", 8, "expose[0].basic_auth", "expected \"user:password\", both non-empty" },
        { AgentHead + HttpExpose + "basic_auth = \":secret\"\n", 8, "expose[0].basic_auth", "expected \"user:password\", both non-empty" },
        { AgentHead + HttpExpose + "auth_header = \"X-Token: short\"\n", 8, "expose[0].auth_header", "expected \"Header-Name: token\", the token at least 8 characters" },
        { AgentHead + HttpExpose + "auth_header = \"X-Token 0123456789\"\n", 8, "expose[0].auth_header", "expected \"Header-Name: token\"" },
        { AgentHead + HttpExpose + "auth_header = \": 0123456789\"\n", 8, "expose[0].auth_header", "expected \"Header-Name: token\"" },
        { AgentHead + HttpExpose + "auth_header = \"X Token: 0123456789\"\n", 8, "expose[0].auth_header", "expected \"Header-Name: token\"" },
        { AgentHead + HttpExpose + "basic_auth = \"bob:secret\"\nauth_header = \"X-Token: 0123456789\"\n", 9, "expose[0].auth_header", "give basic_auth or auth_header, not both" },
        { AgentHead + TcpExpose + "basic_auth = \"bob:secret\"\n", 9, "expose \"redis\".basic_auth", "basic_auth applies to HTTP tunnels (http_host) only" },
        { AgentHead + TcpExpose + "auth_header = \"X-Token: 0123456789\"\n", 9, "expose \"redis\".auth_header", "auth_header applies to HTTP tunnels (http_host) only" },
        { AgentHead + TcpExpose + "host_header = \"rewrite\"\n", 9, "expose \"redis\".host_header", "host_header applies to HTTP tunnels (http_host) only" },
        { AgentHead + HttpExpose + "host_header = \"\"\n", 8, "expose[0].host_header", "must not be empty" },
        { AgentHead + HttpExpose + "host_header = \"local host\"\n", 8, "expose[0].host_header", "expected \"rewrite\" (the local address) or a host" },
        { AgentHead + "[[expose]]\nhttp_host = \"my_app\"\nlocal = \"127.0.0.1:3000\"\n", 6, "expose[0].http_host", "\"my_app\" is not a host name" },
        { AgentHead + "[[expose]]\nhttp_host = 5\nlocal = \"127.0.0.1:3000\"\n", 6, "expose[0].http_host", "expected a string" },
        { AgentHead + HttpExpose + "[[expose]]\nname = \"second\"\nhttp_host = \"Office.\"\nlocal = \"127.0.0.1:3001\"\n", 10, "expose[1].http_host", "host \"office\" is already exposed on line 6" },
        { AgentHead + "inspect = 70000\n" + HttpExpose, 5, "agent.inspect", "port 70000 is not 0-65535" },
        { AgentHead + "inspect = \"inspector.local:4040\"\n" + HttpExpose, 5, "agent.inspect", "listen on an IP address or \"localhost\"" },
        { AgentHead + "inspect_body_bytes = \"2MiB\"\n" + HttpExpose, 5, "agent.inspect_body_bytes", "must be between 0B and 1MiB" },
        { AgentHead + "inspect_max_requests = 0\n" + HttpExpose, 5, "agent.inspect_max_requests", "must be between 1 and 10000" },
        { AgentHead + "inspect = 4040\n[[forward]]\nlisten = \"127.0.0.1:4040\"\ntarget = \"db:5432\"\n", 7, "forward[0].listen", "already used by agent.inspect" },
        { AgentHead + "inspect = \"127.0.0.1:4040\"\n[[forward]]\nlisten = \"127.0.0.1:4040\"\ntarget = \"db:5432\"\n", 7, "forward[0].listen", "already used by agent.inspect" },
    };

    [Theory]
    [MemberData(nameof(InvalidAgentFiles))]
    public void Bad_agent_http_keys_name_line_key_and_what_is_expected(string text, int line, string key, string words)
    {
        var (config, errors) = AgentConfigLoader.Parse(text, "agent.toml");
        Assert.Null(config);
        Assert.Contains(errors, e => e.Line == line && e.Key == key && e.Message.Contains(words, StringComparison.Ordinal));
    }

    [Fact]
    public void More_http_exposes_than_one_register_message_carries_are_refused()
    {
        var exposes = string.Concat(Enumerable.Range(0, 33).Select(i => $"[[expose]]\nhttp_host = \"app{i}\"\nlocal = \"127.0.0.1:{3000 + i}\"\n"));
        var (config, errors) = AgentConfigLoader.Parse(AgentHead + exposes, "agent.toml");
        Assert.Null(config);
        Assert.Contains(errors, e => e.Key == "expose" && e.Message.Contains("at most 32 HTTP tunnels per agent", StringComparison.Ordinal));
    }

    /// <summary>Two empty files where https_cert and https_key must point: the binder checks they exist, not what they hold.</summary>
    private sealed class PemFiles : IDisposable
    {
        public string Cert { get; } = Path.GetTempFileName();

        public string Key { get; } = Path.GetTempFileName();

        public void Dispose()
        {
            File.Delete(Cert);
            File.Delete(Key);
        }
    }
}
