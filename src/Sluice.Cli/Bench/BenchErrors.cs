namespace Sluice.Cli.Bench;

/// <summary>Counts a run's failures and keeps the first one's description.</summary>
internal sealed class BenchErrors
{
    private long _count;
    private string? _first;

    public long Count => Volatile.Read(ref _count);

    public string? First => Volatile.Read(ref _first);

    public void Add(string description)
    {
        Interlocked.Increment(ref _count);
        Interlocked.CompareExchange(ref _first, description, null);
    }

    public void Add(Exception exception) => Add(exception.GetType().Name + ": " + exception.Message);
}
