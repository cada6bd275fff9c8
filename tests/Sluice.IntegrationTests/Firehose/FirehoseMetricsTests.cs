using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Admin;
using Sluice.Client;
using Sluice.Configuration;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Firehose;

/// <summary>What Prometheus scrapes from a gateway with a firehose after real traffic and one bad client.</summary>
public sealed class FirehoseMetricsTests
{
    [SkippableFact]
    public async Task AfterTrafficAndABadClient_MetricsCountThem_AndPassPromtool()
    {
        var promtool = Peer.Require("promtool", "prometheus");
        await using var bed = await FirehoseTestBed.StartAsync();
        await using var admin = new AdminServer(new AdminConfig { Listen = new HostPort("127.0.0.1", 0) }, bed.Gateway.Gateway, NullLoggerFactory.Instance);
        await admin.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{admin.Endpoint}/") };

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var echo = FirehoseEndToEndTests.EchoAsync(bed.Master, cts.Token);
        await using var client = await bed.ConnectAsync();
        for (var i = 0; i < 10; i++)
        {
            await client.SendAsync(new byte[100], cts.Token);
            await client.ReceiveAsync(cts.Token);
        }

        using (var bad = await RawFirehoseClient.OpenAsync(bed.EndPoint))
        {
            await bad.SendRawAsync([1, 0, 0, 0, 9]);
            Assert.True(await bad.ClosedByPeerAsync(Poll.DefaultTimeout));
        }

        await Poll.UntilAsync(() => bed.Service.Counters.ClosedFor("malformed") == 1, "the bad client is counted");
        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal(10, Sample(text, "sluice_firehose_messages_total", "firehose=\"f\"", "direction=\"client_to_master\""));
        Assert.Equal(10, Sample(text, "sluice_firehose_messages_total", "firehose=\"f\"", "direction=\"master_to_client\""));
        Assert.Equal(1000, Sample(text, "sluice_firehose_transferred_bytes_total", "firehose=\"f\"", "direction=\"client_to_master\""));
        Assert.Equal(1, Sample(text, "sluice_firehose_clients", "firehose=\"f\"", "state=\"connected\""));
        Assert.Equal(1, Sample(text, "sluice_firehose_closed_total", "firehose=\"f\"", "reason=\"malformed\""));
        Assert.Equal(1, Sample(text, "sluice_firehose_handshakes_total", "firehose=\"f\"", "kind=\"new\"", "result=\"ok\""));
        Assert.Equal(1, Sample(text, "sluice_firehose_master_connected", "firehose=\"f\""));
        await ProcessRunner.AssertPromtoolAcceptsAsync(promtool, text);
        cts.Cancel();
        await echo;
    }

    private static double Sample(string text, string name, params string[] labels)
    {
        var matches = text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .ToArray();
        Assert.True(matches.Length == 1, $"expected one {name} sample with {string.Join(",", labels)}, found {matches.Length} in:\n{text}");
        return double.Parse(matches[0].Split(' ')[^1].Trim(), CultureInfo.InvariantCulture);
    }
}
