using System.Text;

namespace Sluice.Client;

/// <summary>One thing the gateway told the master.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="ClientId">The client it concerns.</param>
/// <param name="Data">The message (for <see cref="FirehoseEventKind.Message"/>) or the UTF-8 text of a failure, address or reason.</param>
public readonly record struct FirehoseMasterEvent(FirehoseEventKind Kind, ulong ClientId, ReadOnlyMemory<byte> Data)
{
    /// <summary><see cref="Data"/> as UTF-8 text (failure reasons, addresses).</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);
}
