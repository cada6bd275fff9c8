using Sluice.Configuration;
using Sluice.Firehose;
using Sluice.Transport;

namespace Sluice.Hosting;

/// <summary>
/// The [[firehose]] jobs. A reload keeps a running firehose (its sessions, key and master link)
/// when its config is unchanged apart from listen addresses; a changed one is replaced (its
/// clients are closed) and a removed one stopped.
/// </summary>
public sealed partial class Gateway
{
    private volatile Dictionary<string, FirehoseService> _firehoses = new(StringComparer.Ordinal);
    private FirehoseMetrics? _firehoseMetrics;

    /// <summary>The running firehose of that name, or null.</summary>
    internal FirehoseService? Firehose(string name) => _firehoses.GetValueOrDefault(name);

    /// <summary>
    /// The firehoses <paramref name="config"/> wants, reusing running ones that match, with their
    /// listeners added to <paramref name="wanted"/>. New ones are built but not started.
    /// </summary>
    private Dictionary<string, FirehoseService> PrepareFirehoses(SluiceConfig config, Dictionary<ListenerKey, (IConnectionHandler Handler, string Owner)> wanted, List<string> errors)
    {
        _firehoseMetrics ??= new FirehoseMetrics(Metrics, () => _firehoses.Values);
        var next = new Dictionary<string, FirehoseService>(StringComparer.Ordinal);
        foreach (var firehose in config.Firehoses)
        {
            if (_firehoses.TryGetValue(firehose.Name, out var running) && running.Config.SameEngineAs(firehose))
            {
                next[firehose.Name] = running;
            }
            else
            {
                try
                {
                    next[firehose.Name] = new FirehoseService(firehose, _loggers, _time);
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    errors.Add($"firehose \"{firehose.Name}\": {ex.Message}");
                    continue;
                }
            }

            foreach (var address in firehose.Listen)
            {
                wanted[ListenerKey.For("firehose", firehose.Name, address)] = (next[firehose.Name], firehose.Name);
            }
        }

        return next;
    }

    /// <summary>A config that failed to apply: the firehoses built for it never ran.</summary>
    private async Task DiscardFirehosesAsync(Dictionary<string, FirehoseService> next)
    {
        foreach (var service in next.Values)
        {
            if (!_firehoses.ContainsValue(service))
            {
                await service.DisposeAsync();
            }
        }
    }

    /// <summary>Starts the new firehoses and makes <paramref name="next"/> the running set; returns the ones to stop.</summary>
    private List<FirehoseService> CommitFirehoses(Dictionary<string, FirehoseService> next)
    {
        var previous = _firehoses;
        foreach (var service in next.Values)
        {
            if (!previous.ContainsValue(service))
            {
                service.Start();
            }
        }

        _firehoses = next;
        return previous.Values.Where(s => !next.ContainsValue(s)).ToList();
    }

    private static async Task StopFirehosesAsync(IEnumerable<FirehoseService> services)
    {
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }
    }

    /// <summary>Drain: clients are closed (they resume elsewhere or after restart), then the master links stop.</summary>
    private async Task StopAllFirehosesAsync()
    {
        var running = _firehoses;
        _firehoses = new Dictionary<string, FirehoseService>(StringComparer.Ordinal);
        await StopFirehosesAsync(running.Values);
    }
}
