using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

/// <summary>Each bad file must fail with an error that names the key, the line and the reason.</summary>
public sealed class ConfigLoaderErrorTests
{
    private const string ValidCluster = "[[cluster]]\nname = \"c\"\nupstreams = [\"10.0.0.1:80\"]\n";

    public static TheoryData<string, int, string, string> InvalidFiles => new()
    {
        // file, line of the error, key, words the message must contain
        { "[server]\nlog_levl = \"info\"\n", 2, "server.log_levl", "did you mean \"log_level\"" },
        { "[servr]\n", 1, "servr", "unknown table \"servr\"; did you mean \"server\"" },
        { "[[proxies]]\n", 1, "proxies", "did you mean \"proxy\"" },
        { "log_level = \"info\"\n", 1, "log_level", "unknown key \"log_level\"" },
        { "[server]\nlog_level = \"verbose\"\n", 2, "server.log_level", "trace | debug | info | warn | error" },
        { "[server]\nlog_level = \"warning\"\n", 2, "server.log_level", "did you mean \"warn\"" },
        { "[server]\nlog_format = \"jsn\"\n", 2, "server.log_format", "did you mean \"json\"" },
        { "[server]\nshutdown_timeout = 30\n", 2, "server.shutdown_timeout", "strings with a unit" },
        { "[server]\nshutdown_timeout = \"30\"\n", 2, "server.shutdown_timeout", "needs a unit" },
        { "[server]\nshutdown_timeout = \"0s\"\n", 2, "server.shutdown_timeout", "greater than zero" },
        { "[server]\nmax_connections = 0\n", 2, "server.max_connections", "at least 1" },
        { "[server]\nmax_connections = \"many\"\n", 2, "server.max_connections", "expected an integer, got a string" },
        { "[server]\nmax_connections = 99999999999\n", 2, "server.max_connections", "at least 1" },
        { "[server]\naccess_log = \"yes\"\n", 2, "server.access_log", "expected true or false, got a string" },
        { "[[server]]\n", 1, "server", "write [server], not [[server]]" },
        { "[proxy]\nname = \"p\"\n", 1, "proxy", "write [[proxy]]" },
        { "[admin]\n", 1, "admin.listen", "missing required key \"listen\"" },
        { "[admin]\nlisten = \"admin.example.com:9901\"\n", 2, "admin.listen", "IP address or \"localhost\"" },
        { "[admin]\nlisten = \"127.0.0.1\"\n", 2, "admin.listen", "has no port" },
        { "[admin]\nlisten = \"::1:9901\"\n", 2, "admin.listen", "brackets" },
        { "[[echo]]\nname = \"e\"\n", 1, "echo \"e\".listen", "missing required key \"listen\"" },
        { "[[echo]]\nlisten = []\n", 2, "echo[0].listen", "at least one address" },
        { "[[echo]]\nlisten = [\"127.0.0.1:1\", 5]\n", 2, "echo[0].listen[1]", "got an integer (5)" },
        { "[[proxy]]\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\n" + ValidCluster, 1, "proxy[0].name", "missing required key \"name\"" },
        { "[[proxy]]\nname = \"\"\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\n" + ValidCluster, 2, "proxy[0].name", "must not be empty" },
        { "[[proxy]]\nname = \"has space\"\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\n" + ValidCluster, 2, "proxy[0].name", "not a valid name" },
        { "[[proxy]]\nname = \"p\"\nlisten = [\"127.0.0.1:1\", \"127.0.0.1:99999\"]\ncluster = \"c\"\n" + ValidCluster, 3, "proxy \"p\".listen[1]", "not a port number" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\n" + ValidCluster, 1, "proxy \"p\".cluster", "missing required key \"cluster\"" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\ncluster = \"x\"\n" + ValidCluster, 4, "proxy \"p\".cluster", "no [[cluster]] is named \"x\"" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\ncluster = \"pol\"\n[[cluster]]\nname = \"pool\"\nupstreams = [\"10.0.0.1:80\"]\n", 4, "proxy \"p\".cluster", "did you mean \"pool\"" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\nconect_timeout = \"1s\"\n" + ValidCluster, 5, "proxy \"p\".conect_timeout", "did you mean \"connect_timeout\"" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\nconnect_timeout = \"0s\"\n" + ValidCluster, 5, "proxy \"p\".connect_timeout", "greater than zero" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\nidle_timeout = \"-1s\"\n" + ValidCluster, 5, "proxy \"p\".idle_timeout", "negative" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\nconnect_attempts = 101\n" + ValidCluster, 5, "proxy \"p\".connect_attempts", "between 1 and 100" },
        { "[[proxy]]\nname = \"p\"\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\nmax_connections = 0\n" + ValidCluster, 5, "proxy \"p\".max_connections", "at least 1" },
        { "[[cluster]]\nname = \"c\"\n", 1, "cluster \"c\".upstreams", "missing required key \"upstreams\"" },
        { "[[cluster]]\nname = \"c\"\nupstreams = []\n", 3, "cluster \"c\".upstreams", "at least one upstream" },
        { "[[cluster]]\nname = \"c\"\nupstreams = \"10.0.0.1:80\"\n", 3, "cluster \"c\".upstreams", "expected an array of upstreams" },
        { "[[cluster]]\nname = \"c\"\nupstreams = [\"10.0.0.1:0\"]\n", 3, "cluster \"c\".upstreams[0]", "upstream port must be 1-65535" },
        { "[[cluster]]\nname = \"c\"\nupstreams = [\"bad_host!:80\"]\n", 3, "cluster \"c\".upstreams[0]", "neither an IP address nor a valid host name" },
        { "[[cluster]]\nname = \"c\"\nupstreams = [{ address = \"10.0.0.1:80\", weight = 0 }]\n", 3, "cluster \"c\".upstreams[0].weight", "between 1 and 1000" },
        { "[[cluster]]\nname = \"c\"\nupstreams = [{ address = \"10.0.0.1:80\", wieght = 2 }]\n", 3, "cluster \"c\".upstreams[0].wieght", "did you mean \"weight\"" },
        { "[[cluster]]\nname = \"c\"\nupstreams = [\"10.0.0.1:80\", { weight = 2 }]\n", 3, "cluster \"c\".upstreams[1].address", "missing required key \"address\"" },
        { "[[cluster]]\nname = \"c\"\nbalance = \"roundrobin\"\nupstreams = [\"10.0.0.1:80\"]\n", 3, "cluster \"c\".balance", "did you mean \"round_robin\"" },
        { ValidCluster + "[cluster.health]\ninterval = \"1s\"\ntimeout = \"2s\"\n", 6, "cluster \"c\".health.timeout", "not be longer than interval (2s > 1s)" },
        { ValidCluster + "[cluster.health]\nrise = 0\n", 5, "cluster \"c\".health.rise", "at least 1" },
        { ValidCluster + "[cluster.health]\nfall = -1\n", 5, "cluster \"c\".health.fall", "at least 1" },
        { ValidCluster + "[cluster.health]\nsend = \"\"\n", 5, "cluster \"c\".health.send", "must not be empty" },
        { ValidCluster + "[cluster.healthcheck]\n", 4, "cluster \"c\".healthcheck", "unknown table \"healthcheck\" in cluster \"c\"; did you mean \"health\"" },
        { ValidCluster + "[cluster.passive]\nmax_failures = -1\n", 5, "cluster \"c\".passive.max_failures", "at least 0" },
        { ValidCluster + "[cluster.passive]\nejection_time = \"0s\"\n", 5, "cluster \"c\".passive.ejection_time", "greater than zero" },
        { ValidCluster + ValidCluster, 5, "cluster[1].name", "duplicate cluster name \"c\" (first used on line 2)" },
        { "[[echo]]\nlisten = \"127.0.0.1:1\"\n[[echo]]\nname = \"echo-0\"\nlisten = \"127.0.0.1:2\"\n", 4, "echo[1].name", "duplicate echo name" },
        { "[admin]\nlisten = \"127.0.0.1:9000\"\n[[echo]]\nname = \"e\"\nlisten = \"127.0.0.1:9000\"\n", 5, "echo \"e\".listen", "127.0.0.1:9000 is already used by admin.listen on line 2" },
        { "[[echo]]\nname = \"e\"\nlisten = [\"0.0.0.0:9000\", \"127.0.0.1:9000\"]\n", 3, "echo \"e\".listen[1]", "already used by echo \"e\".listen[0]" },
        { "[[echo]]\nname = \"e\"\nlisten = [\"localhost:9000\", \"[::1]:9000\"]\n", 3, "echo \"e\".listen[1]", "already used" },
    };

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Parse_InvalidFile_ReportsKeyLineAndReason(string toml, int line, string key, string messagePart)
    {
        var result = ConfigLoader.Parse(toml, "bad.toml");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("bad.toml", line, key), (error.File, error.Line, error.Key));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.True(error.Column >= 1);
    }

    [Fact]
    public void Parse_SeveralProblems_AreAllReportedInFileOrder()
    {
        var result = ConfigLoader.Parse(
            """
            [server]
            log_level = "loud"
            max_connections = 0

            [[proxy]]
            name = "redis"
            listen = ["127.0.0.1:6380", "nonsense"]
            cluster = "missing"
            idle_timout = "5m"
            """,
            "multi.toml");

        Assert.Null(result.Config);
        Assert.Equal(
            [
                (2, "server.log_level"),
                (3, "server.max_connections"),
                (7, "proxy \"redis\".listen[1]"),
                (8, "proxy \"redis\".cluster"),
                (9, "proxy \"redis\".idle_timout"),
            ],
            result.Errors.Select(e => (e.Line, e.Key)));
    }

    [Fact]
    public void Parse_TomlSyntaxErrors_AreReportedWithTheirPositions()
    {
        var result = ConfigLoader.Parse("[server]\nlog_level = \nmax_connections = 5\n", "syntax.toml");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("syntax.toml", 2, 13), (error.File, error.Line, error.Column));
        Assert.Contains("expecting a value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralSyntaxErrors_AreAllReported()
    {
        var result = ConfigLoader.Parse("[server]\nlog_level = \n[admin]\nlisten = \"127.0.0.1:1\n", "syntax.toml");

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Line == 2);
        Assert.Contains(result.Errors, e => e.Line == 4 && e.Message.Contains("newline", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RedefinedKey_IsReportedOnTheSecondDefinition()
    {
        var result = ConfigLoader.Parse("[server]\nlog_level = \"info\"\nlog_level = \"debug\"\n", "dup.toml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("log_level", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadNameInOneProxy_StillChecksTheRest()
    {
        var result = ConfigLoader.Parse(
            "[[proxy]]\nname = 42\nlisten = \"127.0.0.1:1\"\ncluster = \"c\"\nconnect_attempts = 0\n" + ValidCluster,
            "t.toml");

        Assert.Equal(
            [(2, "proxy[0].name"), (5, "proxy[0].connect_attempts")],
            result.Errors.Select(e => (e.Line, e.Key)));
    }
}
