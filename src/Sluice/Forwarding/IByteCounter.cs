namespace Sluice.Forwarding;

/// <summary>Receives byte counts as chunks are forwarded (e.g. a route's running totals).</summary>
public interface IByteCounter
{
    void AddBytesFromClient(long count);

    void AddBytesToClient(long count);
}
