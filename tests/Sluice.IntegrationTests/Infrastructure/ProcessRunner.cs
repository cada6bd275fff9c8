using System.Diagnostics;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Runs a peer's command-line tool (redis-cli, promtool) to completion.</summary>
public static class ProcessRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string binary, IEnumerable<string> args, string? stdin = null)
    {
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Fails the test unless `promtool check metrics` accepts <paramref name="exposition"/>.</summary>
    public static async Task AssertPromtoolAcceptsAsync(string promtool, string exposition)
    {
        var (code, output) = await RunAsync(promtool, ["check", "metrics"], exposition);
        Assert.True(code == 0, $"promtool check metrics failed:\n{output}\n--- scraped:\n{exposition}");
    }
}
