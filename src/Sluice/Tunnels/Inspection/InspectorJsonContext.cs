using System.Text.Json.Serialization;

namespace Sluice.Tunnels.Inspection;

/// <summary>
/// Source-generated JSON for the inspector API, snake_case like the admin API. Bodies are
/// byte arrays, so they travel as base64: the page decides whether they read as UTF-8 text.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ExchangeRecord))]
[JsonSerializable(typeof(ExchangeList))]
[JsonSerializable(typeof(InspectorError))]
internal sealed partial class InspectorJsonContext : JsonSerializerContext;
