using System.Collections.Concurrent;
using Sluice.Configuration;
using Sluice.Health;

namespace Sluice.Tests.Health;

/// <summary>A probe whose answer per upstream the test sets; counts calls and can hang or throw.</summary>
internal sealed class ScriptedProbe : IUpstreamProbe
{
    private readonly ConcurrentDictionary<HostPort, Func<ProbeResult>> _answers = new();
    private readonly ConcurrentDictionary<HostPort, int> _calls = new();
    private readonly ConcurrentDictionary<HostPort, bool> _hanging = new();

    public void Answer(HostPort target, Func<ProbeResult> answer) => _answers[target] = answer;

    public void Hang(HostPort target) => _hanging[target] = true;

    public int Calls(HostPort target) => _calls.GetValueOrDefault(target);

    public async ValueTask<ProbeResult> ProbeAsync(HostPort target, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(target, 1, static (_, n) => n + 1);
        if (_hanging.ContainsKey(target))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return _answers.TryGetValue(target, out var answer) ? answer() : ProbeResult.Pass;
    }
}
