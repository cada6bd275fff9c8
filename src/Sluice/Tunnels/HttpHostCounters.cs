using System.Diagnostics.Metrics;

namespace Sluice.Tunnels;

/// <summary>The HTTP edge's instruments for one host: requests by status class, body bytes, latency.</summary>
internal sealed class HttpHostCounters
{
    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx", "none"];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?> _host;

    public HttpHostCounters(string host, Counter<long> requests, Counter<long> bytes, Histogram<double> duration)
    {
        _host = new("host", host);
        _requests = requests;
        _bytes = bytes;
        _duration = duration;
    }

    /// <summary>One finished exchange; <paramref name="status"/> 0 = no response was sent.</summary>
    public void Record(int status, long requestBytes, long responseBytes, double seconds)
    {
        var statusClass = status is >= 100 and < 600 ? StatusClasses[(status / 100) - 1] : StatusClasses[^1];
        _requests.Add(1, _host, new("status_class", statusClass));
        if (requestBytes > 0)
        {
            _bytes.Add(requestBytes, _host, new("direction", "request"));
        }

        if (responseBytes > 0)
        {
            _bytes.Add(responseBytes, _host, new("direction", "response"));
        }

        _duration.Record(seconds, _host);
    }
}
