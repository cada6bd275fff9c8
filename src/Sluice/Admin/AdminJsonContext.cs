using System.Text.Json.Serialization;

namespace Sluice.Admin;

/// <summary>
/// Source-generated JSON for the /api answers: snake_case like the TOML config, so a key in the
/// API reads the same as the setting it shows, and no reflection at run time.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<RouteStatus>))]
[JsonSerializable(typeof(IReadOnlyList<ClusterStatus>))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
