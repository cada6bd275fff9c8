using Sluice.Tunnels.Inspection;

namespace Sluice.Tests.Inspection;

public sealed class InspectorStoreTests
{
    [Fact]
    public void Add_AssignsIncreasingIds_AndStoresTheRecordUnderIt()
    {
        var store = new InspectorStore(maxRequests: 10, maxBytes: 1 << 20);

        var first = store.Add(Exchange("/a"));
        var second = store.Add(Exchange("/b") with { Id = 999 });

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        Assert.Equal(2, store.LastId);
        Assert.Equal("/a", store.Get(first)!.Path);
        Assert.Equal(second, store.Get(second)!.Id);
    }

    [Fact]
    public void Add_OverMaxRequests_EvictsTheOldest()
    {
        var store = new InspectorStore(maxRequests: 3, maxBytes: 1 << 20);

        for (var i = 1; i <= 5; i++)
        {
            store.Add(Exchange($"/{i}"));
        }

        Assert.Equal(3, store.Count);
        Assert.Null(store.Get(1));
        Assert.Null(store.Get(2));
        Assert.Equal(["/5", "/4", "/3"], store.List().Select(r => r.Path));
    }

    [Fact]
    public void Add_OverMaxBytes_EvictsTheOldestUntilTheBodiesFit()
    {
        var oneRecord = InspectorStore.EstimateBytes(Exchange("/x", bodyBytes: 10_000));
        var store = new InspectorStore(maxRequests: 100, maxBytes: (oneRecord * 3) + (oneRecord / 2));

        for (var i = 1; i <= 5; i++)
        {
            store.Add(Exchange("/x", bodyBytes: 10_000));
        }

        Assert.Equal(3, store.Count);
        Assert.Equal([5L, 4L, 3L], store.List().Select(r => r.Id));
        Assert.True(store.Bytes <= (oneRecord * 3) + (oneRecord / 2));
    }

    [Fact]
    public void Add_OneRecordLargerThanMaxBytes_KeepsOnlyThatRecord()
    {
        var store = new InspectorStore(maxRequests: 100, maxBytes: 4096);
        store.Add(Exchange("/small"));

        var big = store.Add(Exchange("/big", bodyBytes: 100_000));

        Assert.Equal(big, Assert.Single(store.List()).Id);
        Assert.NotNull(store.Get(big));
    }

    [Fact]
    public void EstimateBytes_CountsBothBodiesAndHeaderText()
    {
        var bare = InspectorStore.EstimateBytes(new ExchangeRecord());
        var record = new ExchangeRecord
        {
            RequestBody = new byte[100],
            ResponseBody = new byte[200],
            RequestHeaders = [new HeaderField("Accept", "text/html")],
        };

        Assert.Equal(bare + 300 + ("Accept".Length + "text/html".Length) * 2, InspectorStore.EstimateBytes(record));
    }

    [Fact]
    public void List_AfterAndLimit_GiveTheNewestFirstAboveAfter()
    {
        var store = new InspectorStore(maxRequests: 100, maxBytes: 1 << 20);
        for (var i = 1; i <= 10; i++)
        {
            store.Add(Exchange($"/{i}"));
        }

        Assert.Equal([10L, 9L, 8L], store.List(limit: 3).Select(r => r.Id));
        Assert.Equal([10L, 9L, 8L], store.List(after: 7).Select(r => r.Id));
        Assert.Equal([10L, 9L], store.List(after: 5, limit: 2).Select(r => r.Id));
        Assert.Empty(store.List(after: 10));
        Assert.Empty(store.List(limit: 0));
        Assert.Equal(10, store.List(after: -5, limit: 1000).Count);
    }

    [Fact]
    public void List_AfterAnEvictedId_StartsAtTheOldestKept()
    {
        var store = new InspectorStore(maxRequests: 3, maxBytes: 1 << 20);
        for (var i = 1; i <= 6; i++)
        {
            store.Add(Exchange($"/{i}"));
        }

        Assert.Equal([6L, 5L, 4L], store.List(after: 1).Select(r => r.Id));
    }

    [Fact]
    public void Get_UnknownOrEvictedId_IsNull()
    {
        var store = new InspectorStore(maxRequests: 1, maxBytes: 1 << 20);
        Assert.Null(store.Get(1));

        store.Add(Exchange("/1"));
        store.Add(Exchange("/2"));

        Assert.Null(store.Get(0));
        Assert.Null(store.Get(1));
        Assert.Null(store.Get(3));
        Assert.Equal("/2", store.Get(2)!.Path);
    }

    [Fact]
    public async Task WaitForNewerAsync_CompletesWhenARecordIsAdded()
    {
        var store = new InspectorStore(maxRequests: 10, maxBytes: 1 << 20);
        store.Add(Exchange("/1"));

        Assert.True(store.WaitForNewerAsync(0, CancellationToken.None).IsCompleted);
        var waiting = store.WaitForNewerAsync(1, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        store.Add(Exchange("/2"));

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitForNewerAsync_Cancelled_ThrowsWithoutAffectingOtherWaiters()
    {
        var store = new InspectorStore(maxRequests: 10, maxBytes: 1 << 20);
        using var cts = new CancellationTokenSource();
        var cancelled = store.WaitForNewerAsync(0, cts.Token);
        var other = store.WaitForNewerAsync(0, CancellationToken.None);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        store.Add(Exchange("/1"));
        await other.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Add_FromManyThreads_GivesUniqueContiguousIdsAndKeepsTheBounds()
    {
        var store = new InspectorStore(maxRequests: 50, maxBytes: 1 << 20);
        const int Writers = 8;
        const int PerWriter = 1000;

        var ids = await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            var mine = new long[PerWriter];
            for (var i = 0; i < PerWriter; i++)
            {
                mine[i] = store.Add(Exchange("/c", bodyBytes: 100));
                _ = store.List(after: mine[i] - 10, limit: 5);
            }

            return mine;
        })));

        var all = ids.SelectMany(x => x).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, Writers * PerWriter).Select(i => (long)i), all);
        Assert.Equal(50, store.Count);
        var kept = store.List(limit: 500);
        Assert.Equal(Enumerable.Range((Writers * PerWriter) - 49, 50).Reverse().Select(i => (long)i), kept.Select(r => r.Id));
    }

    private static ExchangeRecord Exchange(string path, int bodyBytes = 0) => new()
    {
        Tunnel = "web",
        Host = "app.example.com",
        Method = "GET",
        Path = path,
        Status = 200,
        ResponseBody = new byte[bodyBytes],
        ResponseBytes = bodyBytes,
    };
}
