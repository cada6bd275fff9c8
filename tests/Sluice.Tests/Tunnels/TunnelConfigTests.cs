using System.Net;
using Sluice.Configuration;

namespace Sluice.Tests.Tunnels;

public sealed class TunnelConfigTests
{
    private const string Agent = "[[tunnel_server.agent]]\nname = \"office\"\ntoken = \"change-me-please\"\n";

    [Fact]
    public void The_documented_server_example_loads()
    {
        const string text = """
            [tunnel_server]
            listen = "0.0.0.0:7000"
            tls = true
            tls_cert = ""
            tls_key = ""
            websocket_listen = "127.0.0.1:7443"

            [[tunnel_server.agent]]
            name = "office"
            token = "change-me-please"
            allow_ports = ["20000-20100"]
            allow_forward = ["127.0.0.0/8:1-65535", "db.internal:5432"]
            """;
        var result = ConfigLoader.Parse(text, "sluice.toml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var server = result.Config.TunnelServer!;
        Assert.Equal(new HostPort("0.0.0.0", 7000), server.Listen);
        Assert.True(server.Tls);
        Assert.Equal(new HostPort("127.0.0.1", 7443), server.WebSocketListen);
        var agent = Assert.Single(server.Agents);
        Assert.Equal(("office", "change-me-please"), (agent.Name, agent.Token));
        Assert.Equal([new PortRange(20000, 20100)], agent.AllowPorts);
        Assert.True(agent.AllowForward[0].MatchesAddress(IPAddress.Loopback, 6379));
        Assert.True(agent.AllowForward[1].MatchesName("db.internal", 5432));
    }

    [Fact]
    public void Without_allow_lists_an_agent_is_allowed_nothing()
    {
        var result = ConfigLoader.Parse("[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n" + Agent, "sluice.toml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var agent = result.Config.TunnelServer!.Agents[0];
        Assert.Empty(agent.AllowPorts);
        Assert.Empty(agent.AllowForward);
    }

    public static TheoryData<string, int, string, string> InvalidServerFiles => new()
    {
        { "[tunnel_server]\n" + Agent, 1, "tunnel_server.listen", "missing required key \"listen\"" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n", 1, "tunnel_server.agent", "no [[tunnel_server.agent]]" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\nlsiten_ws = 1\n" + Agent, 3, "tunnel_server.lsiten_ws", "unknown key" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\nwebsocket_lisen = \"127.0.0.1:1\"\n" + Agent, 3, "tunnel_server.websocket_lisen", "did you mean \"websocket_listen\"" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\ntls_cert = \"a.pem\"\n" + Agent, 1, "tunnel_server.tls_key", "go together" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\ntls = false\ntls_cert = \"a.pem\"\ntls_key = \"k.pem\"\n" + Agent, 1, "tunnel_server.tls_cert", "tls = false" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\ntls_cert = \"/nonexistent/cert.pem\"\ntls_key = \"/nonexistent/key.pem\"\n" + Agent, 3, "tunnel_server.tls_cert", "file not found: /nonexistent/cert.pem" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n[[tunnel_server.agent]]\nname = \"office\"\n", 3, "tunnel_server.agent \"office\".token", "missing required key \"token\"" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n[[tunnel_server.agent]]\nname = \"office\"\ntoken = \"short\"\n", 5, "tunnel_server.agent \"office\".token", "at least 8" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n" + Agent + "allow_ports = [\"20000-70000\"]\n", 6, "tunnel_server.agent \"office\".allow_ports[0]", "not a port or a range" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n" + Agent + "allow_ports = \"20000\"\n", 6, "tunnel_server.agent \"office\".allow_ports", "expected an array of strings" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n" + Agent + "allow_forward = [\"10.0.0.0/8\"]\n", 6, "tunnel_server.agent \"office\".allow_forward[0]", "no port" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n" + Agent + "alow_forward = []\n", 6, "tunnel_server.agent \"office\".alow_forward", "did you mean \"allow_forward\"" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n" + Agent + Agent, 7, "tunnel_server.agent[1].name", "duplicate tunnel_server.agent name \"office\"" },
        { "[tunnel_server]\nlisten = \"127.0.0.1:7000\"\n" + Agent + "[[echo]]\nlisten = \"127.0.0.1:7000\"\n", 2, "tunnel_server.listen", "already used by echo[0].listen" },
    };

    [Theory]
    [MemberData(nameof(InvalidServerFiles))]
    public void Bad_server_config_names_line_key_and_problem(string text, int line, string key, string words)
    {
        var result = ConfigLoader.Parse(text, "sluice.toml");
        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Line == line && e.Key == key && e.Message.Contains(words, StringComparison.Ordinal));
    }

    [Fact]
    public void The_documented_agent_example_loads()
    {
        const string text = """
            [agent]
            server = "gw.example.com:7000"
            name = "office"
            token = "change-me-please"
            tls = true
            server_fingerprint = "sha256:AB:CD:EF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC"

            [[expose]]
            name = "redis"
            remote_port = 20001
            local = "127.0.0.1:6379"

            [[forward]]
            listen = "127.0.0.1:1080"
            socks5 = true

            [[forward]]
            listen = "127.0.0.1:15432"
            target = "db.internal:5432"
            """;
        var (config, errors) = AgentConfigLoader.Parse(text, "agent.toml");
        Assert.Empty(errors);
        Assert.Equal("gw.example.com:7000", config!.Server);
        Assert.Equal("ABCDEF00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC", config.ServerFingerprint);
        Assert.Equal(20001, config.Exposes[0].RemotePort);
        Assert.Equal(new HostPort("127.0.0.1", 6379), config.Exposes[0].Local);
        Assert.True(config.Forwards[0].Socks5);
        Assert.Equal(new HostPort("db.internal", 5432), config.Forwards[1].Target);
        Assert.True(AgentConfigLoader.LooksLikeAgentFile(text));
        Assert.False(AgentConfigLoader.LooksLikeAgentFile("[server]\nlog_level = \"info\"\n"));
    }

    private const string AgentHead = "[agent]\nserver = \"127.0.0.1:7000\"\nname = \"office\"\ntoken = \"change-me-please\"\n";
    private const string Expose = "[[expose]]\nname = \"redis\"\nremote_port = 20001\nlocal = \"127.0.0.1:6379\"\n";

    public static TheoryData<string, int, string, string> InvalidAgentFiles => new()
    {
        { Expose, 1, "agent", "missing [agent] table" },
        { AgentHead, 1, "expose", "nothing to do" },
        { "[agent]\nname = \"office\"\ntoken = \"change-me-please\"\n" + Expose, 1, "agent.server", "missing required key \"server\"" },
        { "[agent]\nserver = \"http://x/tunnel\"\nname = \"office\"\ntoken = \"change-me-please\"\n" + Expose, 2, "agent.server", "ws:// or wss://" },
        { AgentHead + "server_fingerprint = \"AB:CD\"\n" + Expose, 5, "agent.server_fingerprint", "64 hex digits" },
        { AgentHead + "tls = false\nserver_fingerprint = \"sha256:abcdef00112233445566778899aabbccddeeff00112233445566778899aabbcc\"\n" + Expose, 1, "agent.server_fingerprint", "no effect without TLS" },
        { AgentHead + "sever = \"x\"\n" + Expose, 5, "agent.sever", "did you mean \"server\"" },
        { AgentHead + "ca_file = \"/nonexistent/ca.pem\"\n" + Expose, 5, "agent.ca_file", "file not found" },
        { AgentHead + "[[expose]]\nname = \"redis\"\nremote_port = 70000\nlocal = \"127.0.0.1:6379\"\n", 7, "expose \"redis\".remote_port", "between 1 and 65535" },
        { AgentHead + "[[expose]]\nname = \"redis\"\nremote_port = 20001\n", 5, "expose \"redis\".local", "missing required key \"local\"" },
        { AgentHead + Expose + "[[expose]]\nname = \"web\"\nremote_port = 20001\nlocal = \"127.0.0.1:80\"\n", 11, "expose \"web\".remote_port", "already exposed on line 7" },
        { AgentHead + "[[forward]]\nlisten = \"127.0.0.1:1080\"\n", 5, "forward[0].target", "missing required key \"target\"" },
        { AgentHead + "[[forward]]\nlisten = \"127.0.0.1:1080\"\nsocks5 = true\ntarget = \"db:5432\"\n", 5, "forward[0].target", "takes its destination from each client" },
        { AgentHead + "[[forward]]\nlisten = \"127.0.0.1:1080\"\nsocks5 = true\nusername = \"bob\"\n", 5, "forward[0].password", "go together" },
        { AgentHead + "[[forward]]\nlisten = \"127.0.0.1:1080\"\nsocks5 = true\n[[forward]]\nlisten = \"127.0.0.1:1080\"\ntarget = \"db:5432\"\n", 9, "forward[1].listen", "already used by forward[0].listen" },
    };

    [Theory]
    [MemberData(nameof(InvalidAgentFiles))]
    public void Bad_agent_files_name_line_key_and_problem(string text, int line, string key, string words)
    {
        var (config, errors) = AgentConfigLoader.Parse(text, "agent.toml");
        Assert.Null(config);
        Assert.Contains(errors, e => e.Line == line && e.Key == key && e.Message.Contains(words, StringComparison.Ordinal));
    }
}
