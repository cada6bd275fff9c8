using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

/// <summary>A parsed address and where it was written, for errors that compare addresses.</summary>
internal sealed record AddressSite(HostPort Address, TextLocation Location, string Key);
