using System.Diagnostics.Metrics;

namespace Sluice.IntegrationTests.Tunnels;

/// <summary>Listens to the tunnel instruments of one meter: counters from creation on, observables when collected.</summary>
internal sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<(string, string), long> _counters = [];
    private readonly Lock _lock = new();
    private Dictionary<(string, string), long>? _observed;

    public MetricsProbe(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name.StartsWith("sluice.tunnel.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>Counter totals so far plus one fresh reading of every observable instrument.</summary>
    public Dictionary<(string Name, string Tags), long> Collect()
    {
        lock (_lock)
        {
            _observed = [];
        }

        _listener.RecordObservableInstruments();
        lock (_lock)
        {
            var result = new Dictionary<(string, string), long>(_counters);
            foreach (var (key, value) in _observed!)
            {
                result[key] = value;
            }

            _observed = null;
            return result;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument.Name, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")));
        lock (_lock)
        {
            var target = instrument.IsObservable ? _observed : _counters;
            if (target is not null)
            {
                target[key] = target.GetValueOrDefault(key) + value;
            }
        }
    }
}
