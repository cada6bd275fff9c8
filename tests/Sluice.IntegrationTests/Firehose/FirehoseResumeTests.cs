using System.Text;
using Sluice.Client;
using Sluice.Firehose;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Firehose;

public sealed class FirehoseResumeTests
{
    [Fact]
    public async Task DropAndResume_MissedMessagesArriveFirstAndInOrder_MasterHearsReconnection()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MissedMessages = 100 });
        var first = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);
        var id = first.ClientId;
        first.Dispose();
        await Poll.UntilAsync(() => bed.Service.Sessions.StaleCount == 1, "the session is stale");

        for (var i = 0; i < 10; i++)
        {
            await bed.Master.SendAsync(id, Encoding.UTF8.GetBytes($"missed-{i}"));
        }

        await Poll.UntilAsync(() => bed.Service.Sessions.QueuedMessages() == 10, "ten messages buffered for the stale client");
        var (resumed, client) = await RawFirehoseClient.ResumeAsync(bed.EndPoint, id, first.SessionKey);
        using var _ = client;
        Assert.True(resumed);
        var notice = await bed.NextAsync(FirehoseEventKind.Resumed);
        Assert.Equal(id, notice.ClientId);

        for (var i = 0; i < 5; i++)
        {
            await bed.Master.SendAsync(id, Encoding.UTF8.GetBytes($"new-{i}"));
        }

        var expected = Enumerable.Range(0, 10).Select(i => $"missed-{i}").Concat(Enumerable.Range(0, 5).Select(i => $"new-{i}"));
        foreach (var text in expected)
        {
            Assert.Equal(text, Encoding.UTF8.GetString((await client.ReadFrameAsync())!));
        }

        await client.SendMessageAsync("back"u8);
        var message = await bed.NextAsync(FirehoseEventKind.Message);
        Assert.Equal((id, "back"), (message.ClientId, message.Text));
        Assert.Equal(1, bed.Service.Counters.HandshakesFor("resume", "ok"));
    }

    [Fact]
    public async Task WrongChallengeResponse_IsRefused_AndTheStaleSessionSurvives()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MissedMessages = 10 });
        var first = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);
        first.Dispose();
        await Poll.UntilAsync(() => bed.Service.Sessions.StaleCount == 1, "the session is stale");
        await bed.Master.SendAsync(first.ClientId, "kept"u8.ToArray());

        var (hijacked, attacker) = await RawFirehoseClient.ResumeAsync(bed.EndPoint, first.ClientId, new byte[32]);
        using (attacker)
        {
            Assert.False(hijacked);
            Assert.True(await attacker.ClosedByPeerAsync(Poll.DefaultTimeout));
        }

        Assert.Equal(1, bed.Service.Counters.HandshakesFor("resume", CloseReasons.ChallengeFailed));
        Assert.Equal(1, bed.Service.Sessions.StaleCount);

        var (resumed, owner) = await RawFirehoseClient.ResumeAsync(bed.EndPoint, first.ClientId, first.SessionKey);
        using (owner)
        {
            Assert.True(resumed);
            Assert.Equal("kept", Encoding.UTF8.GetString((await owner.ReadFrameAsync())!));
        }
    }

    [Fact]
    public async Task StaleSession_Expires_MasterGetsFailure_AndResumeIsRefused()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with
        {
            StaleTimeout = TimeSpan.FromMilliseconds(300),
            StaleReapInterval = TimeSpan.FromMilliseconds(100),
        });
        var client = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);
        client.Dispose();
        var failure = await bed.NextAsync(FirehoseEventKind.Failure);
        Assert.Equal((client.ClientId, "Client timed out"), (failure.ClientId, failure.Text));

        var (resumed, again) = await RawFirehoseClient.ResumeAsync(bed.EndPoint, client.ClientId, client.SessionKey);
        again.Dispose();
        Assert.False(resumed);
        Assert.Equal(1, bed.Service.Counters.HandshakesFor("resume", CloseReasons.UnknownId));
    }

    [Fact]
    public async Task MessageToStaleClient_WithBufferingOff_FailsItAtOnce()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        var client = await RawFirehoseClient.ConnectNewAsync(bed.EndPoint);
        client.Dispose();
        await Poll.UntilAsync(() => bed.Service.Sessions.StaleCount == 1, "the session is stale");
        await bed.Master.SendAsync(client.ClientId, "lost"u8.ToArray());
        var failure = await bed.NextAsync(FirehoseEventKind.Failure);
        Assert.Equal((client.ClientId, "Client disconnected"), (failure.ClientId, failure.Text));
        Assert.Equal(0, bed.Service.Sessions.Count);
    }

    [Fact]
    public async Task SdkClient_ResumesOnItsOwn_KeepsItsId_AndTrafficFlows()
    {
        await using var bed = await FirehoseTestBed.StartAsync(c => c with { MissedMessages = 10 });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var echo = FirehoseEndToEndTests.EchoAsync(bed.Master, cts.Token);
        await using var client = await bed.ConnectAsync();
        var id = client.ClientId;
        client.DropConnection();
        await Poll.UntilAsync(() => client.Resumes == 1, "the client resumed");
        await client.SendAsync("after"u8.ToArray());
        Assert.Equal("after", Encoding.UTF8.GetString(await client.ReceiveAsync(cts.Token)));
        Assert.Equal(id, client.ClientId);
        cts.Cancel();
        await echo;
    }

    [Fact]
    public async Task MasterRestart_GatewayRedials_AndTrafficResumes()
    {
        await using var bed = await FirehoseTestBed.StartAsync();
        await using var client = await bed.ConnectAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            var echo = FirehoseEndToEndTests.EchoAsync(bed.Master, cts.Token);
            await client.SendAsync("one"u8.ToArray());
            Assert.Equal("one", Encoding.UTF8.GetString(await client.ReceiveAsync(cts.Token)));
            cts.Cancel();
            await echo;
        }

        await bed.RestartMasterAsync();
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        await bed.Master.WaitForGatewayAsync(timeout.Token);
        var echo2 = FirehoseEndToEndTests.EchoAsync(bed.Master, timeout.Token);
        await client.SendAsync("two"u8.ToArray());
        Assert.Equal("two", Encoding.UTF8.GetString(await client.ReceiveAsync(timeout.Token)));
        Assert.True(bed.Service.Counters.MasterReconnects >= 1);
        await timeout.CancelAsync();
        await echo2;
    }
}
