namespace Sluice.Tunnels.Inspection;

/// <summary>The JSON body of every inspector error answer: <c>{"error": "..."}</c>.</summary>
internal sealed record InspectorError(string Error);
