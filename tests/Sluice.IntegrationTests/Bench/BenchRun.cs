using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Bench;

/// <summary>Runs the real `sluice bench ...` with --json and returns its exit code, output and parsed result.</summary>
internal static class BenchRun
{
    public static async Task<(int ExitCode, string Output, JsonElement? Result)> RunAsync(params string[] args)
    {
        using var dir = new TempDirectory();
        var json = Path.Combine(dir.Path, "result.json");
        var (code, output) = await SluiceProcess.RunAsync(dir.Path, ["bench", .. args, "--quiet", "--json", json]);
        JsonElement? result = File.Exists(json) ? JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.Clone() : null;
        return (code, output, result);
    }
}
