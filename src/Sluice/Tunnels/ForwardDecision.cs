using Sluice.Configuration;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

/// <summary>Where a forward stream may go: the address to dial, or why it may not.</summary>
internal readonly record struct ForwardDecision(HostPort? Target, ForwardStatus Status, string Reason)
{
    public bool Allowed => Target is not null;
}
