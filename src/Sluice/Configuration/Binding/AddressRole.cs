namespace Sluice.Configuration.Binding;

/// <summary>What an address is for decides what it may be.</summary>
internal enum AddressRole
{
    /// <summary>Bound locally: an IP literal or "localhost"; port 0 picks a free port.</summary>
    Listener,

    /// <summary>Connected to: an IP or a DNS name resolved at connect time; port 1-65535.</summary>
    Upstream,
}
