namespace Sluice.Health;

/// <summary>A consistent copy of one upstream's health, for the admin API.</summary>
/// <param name="State">Down wins over Ejected: a down upstream needs <c>rise</c> passes whatever its ejection.</param>
/// <param name="ConsecutiveCheckPasses">Active checks passed in a row (0 after a failure).</param>
/// <param name="ConsecutiveCheckFailures">Active checks failed in a row (0 after a pass).</param>
/// <param name="ConsecutiveConnectFailures">Connect failures from real traffic in a row (passive ejection counter).</param>
/// <param name="LastCheckAt">When the last active check finished; null before the first.</param>
/// <param name="LastCheckError">Null when the last check passed (or none ran), else why it failed.</param>
/// <param name="LastStateChangeAt">When <paramref name="State"/> last changed (or the upstream was created).</param>
/// <param name="EjectedUntil">When an ejection without active checks ends; null otherwise.</param>
/// <param name="Ejections">Passive ejections since the upstream was created (kept across reloads with it).</param>
public readonly record struct UpstreamHealthSnapshot(
    UpstreamHealthState State,
    int ConsecutiveCheckPasses,
    int ConsecutiveCheckFailures,
    int ConsecutiveConnectFailures,
    DateTimeOffset? LastCheckAt,
    string? LastCheckError,
    DateTimeOffset LastStateChangeAt,
    DateTimeOffset? EjectedUntil,
    long Ejections)
{
    public bool LastCheckPassed => LastCheckAt is not null && LastCheckError is null;
}
