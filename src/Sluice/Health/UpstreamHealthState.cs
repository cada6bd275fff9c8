namespace Sluice.Health;

/// <summary>Why an upstream is or is not offered to new connections.</summary>
public enum UpstreamHealthState
{
    /// <summary>Offered: active checks (if any) pass and it is not ejected.</summary>
    Up,

    /// <summary>Active checks failed <c>fall</c> times; <c>rise</c> passes bring it back.</summary>
    Down,

    /// <summary>Passively ejected after consecutive connect failures from real traffic.</summary>
    Ejected,
}
