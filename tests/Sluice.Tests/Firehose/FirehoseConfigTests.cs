using Sluice.Configuration;

namespace Sluice.Tests.Firehose;

public sealed class FirehoseConfigTests
{
    private const string Minimal = "[[firehose]]\nname = \"game\"\nlisten = [\"127.0.0.1:42000\"]\nmaster = \"127.0.0.1:42001\"\n";

    [Fact]
    public void Parse_EveryKey_IsBound()
    {
        var toml = Minimal + """
            stale_timeout = "2m"
            stale_reap_interval = "5s"
            max_stale_clients = 100
            missed_messages = 64
            client_queue = 256
            max_clients = 5000
            max_message = "64KiB"
            handshake_timeout = "3s"
            max_connections_per_ip = 20
            master_events = true
            key_file = "/var/lib/sluice/game.key"
            """;
        var result = ConfigLoader.Parse(toml, "f.toml");
        Assert.Empty(result.Errors);
        var firehose = Assert.Single(result.Config!.Firehoses);
        Assert.Equal(
            new FirehoseConfig
            {
                Name = "game",
                Listen = firehose.Listen,
                Master = new HostPort("127.0.0.1", 42001),
                StaleTimeout = TimeSpan.FromMinutes(2),
                StaleReapInterval = TimeSpan.FromSeconds(5),
                MaxStaleClients = 100,
                MissedMessages = 64,
                ClientQueue = 256,
                MaxClients = 5000,
                MaxMessage = 64 * 1024,
                HandshakeTimeout = TimeSpan.FromSeconds(3),
                MaxConnectionsPerIp = 20,
                MasterEvents = true,
                KeyFile = "/var/lib/sluice/game.key",
            },
            firehose);
        Assert.Equal([new HostPort("127.0.0.1", 42000)], firehose.Listen);
    }

    [Fact]
    public void Parse_Minimal_HasTheIssueDefaults()
    {
        var firehose = Assert.Single(ConfigLoader.Parse(Minimal, "f.toml").Config!.Firehoses);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(15), 65535, 0, 8192), (firehose.StaleTimeout, firehose.StaleReapInterval, firehose.MaxStaleClients, firehose.MissedMessages, firehose.ClientQueue));
        Assert.Equal((100_000, 1L << 20, TimeSpan.FromSeconds(5), 0, false, ""), (firehose.MaxClients, firehose.MaxMessage, firehose.HandshakeTimeout, firehose.MaxConnectionsPerIp, firehose.MasterEvents, firehose.KeyFile));
    }

    public static TheoryData<string, int, string, string> InvalidFiles => new()
    {
        { "[[firehose]]\nname = \"g\"\nlisten = \"127.0.0.1:1\"\n", 1, "firehose \"g\".master", "missing required key \"master\"" },
        { "[[firehose]]\nname = \"g\"\nmaster = \"127.0.0.1:2\"\n", 1, "firehose \"g\".listen", "missing required key \"listen\"" },
        { Minimal + "stale_timout = \"1m\"\n", 5, "firehose \"game\".stale_timout", "did you mean \"stale_timeout\"" },
        { Minimal + "max_mesage = \"1MiB\"\n", 5, "firehose \"game\".max_mesage", "did you mean \"max_message\"" },
        { Minimal + "max_message = 1024\n", 5, "firehose \"game\".max_message", "strings with a unit" },
        { Minimal + "max_message = \"1MB\"\n", 5, "firehose \"game\".max_message", "ambiguous" },
        { Minimal + "max_message = \"0B\"\n", 5, "firehose \"game\".max_message", "between 1B and 64MiB" },
        { Minimal + "stale_timeout = \"0s\"\n", 5, "firehose \"game\".stale_timeout", "greater than zero" },
        { Minimal + "handshake_timeout = 5\n", 5, "firehose \"game\".handshake_timeout", "strings with a unit" },
        { Minimal + "client_queue = 0\n", 5, "firehose \"game\".client_queue", "between 1 and 1000000" },
        { Minimal + "missed_messages = -1\n", 5, "firehose \"game\".missed_messages", "between 0 and 1000000" },
        { Minimal + "max_connections_per_ip = -1\n", 5, "firehose \"game\".max_connections_per_ip", "at least 0" },
        { Minimal + "master_events = \"yes\"\n", 5, "firehose \"game\".master_events", "expected true or false" },
        { Minimal + "key_file = 3\n", 5, "firehose \"game\".key_file", "expected a string" },
        { "[[firehose]]\nname = \"g\"\nlisten = \"127.0.0.1:1\"\nmaster = \"127.0.0.1:0\"\n", 4, "firehose \"g\".master", "port must be 1-65535" },
        { "[[firehose]]\nname = \"g\"\nlisten = \"game.example.com:1\"\nmaster = \"127.0.0.1:2\"\n", 3, "firehose \"g\".listen", "IP address or \"localhost\"" },
        { "[[echo]]\nname = \"e\"\nlisten = \"127.0.0.1:42000\"\n" + Minimal, 6, "firehose \"game\".listen[0]", "already used by echo \"e\".listen on line 3" },
        { Minimal + Minimal, 6, "firehose[1].name", "duplicate firehose name \"game\"" },
        { "[firehose]\nname = \"g\"\n", 1, "firehose", "write [[firehose]]" },
    };

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Parse_InvalidFirehose_ReportsKeyLineAndReason(string toml, int line, string key, string messagePart)
    {
        var result = ConfigLoader.Parse(toml, "bad.toml");
        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors, e => e.Key == key);
        Assert.Equal(line, error.Line);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }
}
