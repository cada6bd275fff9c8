using System.Diagnostics;
using System.Threading.Channels;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Multiplexing;

/// <summary>
/// The hashicorp/yamux interop peer (GoPeer/main.go), built once per test run with the Debian
/// packages golang-go and golang-github-hashicorp-yamux-dev, and run as a child process whose
/// stdout lines report what it saw.
/// </summary>
internal sealed class GoYamuxPeer : IAsyncDisposable
{
    private const string YamuxSource = "/usr/share/gocode/src/github.com/hashicorp/yamux";
    private static readonly SemaphoreSlim BuildLock = new(1, 1);
    private static string? _binary;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];

    private GoYamuxPeer(Process process)
    {
        _process = process;
        _ = PumpAsync();
    }

    /// <summary>Every line read so far (for failure messages).</summary>
    public string Transcript => string.Join("\n", _seen);

    /// <summary>Builds the peer (once) and starts it with <paramref name="args"/>; skips without Go or yamux.</summary>
    public static async Task<GoYamuxPeer> StartAsync(params string[] args)
    {
        var binary = await BuildAsync();
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

        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new GoYamuxPeer(process);
    }

    /// <summary>Waits for the next line starting with <paramref name="prefix"/>; fails on an "error" line or after 120 s.</summary>
    public async Task<string> WaitForLineAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                Assert.False(line.StartsWith("error", StringComparison.Ordinal), "the Go peer reported: " + line + "\n" + Transcript);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (ChannelClosedException)
        {
            Assert.Fail("the Go peer exited before printing '" + prefix + "'\n" + Transcript);
            throw;
        }
    }

    /// <summary>Closing stdin ends the peer's session and the process.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_seen)
            {
                _seen.Add(line);
            }

            _lines.Writer.TryWrite(line);
        }

        _lines.Writer.TryComplete();
    }

    private static async Task<string> BuildAsync()
    {
        var go = Peer.Require("go", "golang-go");
        if (!Directory.Exists(YamuxSource))
        {
            var reason = "hashicorp/yamux is not installed (Debian package golang-github-hashicorp-yamux-dev); .ci/run installs it";
            if (Peer.Required)
            {
                throw new InvalidOperationException(reason + ", and SLUICE_REQUIRE_PEERS=1 forbids skipping");
            }

            Skip.If(true, reason);
        }

        await BuildLock.WaitAsync();
        try
        {
            if (_binary is not null)
            {
                return _binary;
            }

            var dir = Directory.CreateTempSubdirectory("sluice-yamux-peer-").FullName;
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            };
            var source = Path.Combine(AppContext.BaseDirectory, "Multiplexing", "GoPeer", "main.go");
            var output = Path.Combine(dir, "yamux-peer");
            var info = new ProcessStartInfo(go)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = dir,
            };
            foreach (var arg in new[] { "build", "-o", output, source })
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["GO111MODULE"] = "off";
            info.Environment["GOPATH"] = "/usr/share/gocode";
            info.Environment["GOCACHE"] = Path.Combine(dir, "gocache");
            info.Environment["GOFLAGS"] = "";
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
            Assert.True(process.ExitCode == 0, "go build of the yamux peer failed:\n" + await stdout + await stderr);
            _binary = output;
            return output;
        }
        finally
        {
            BuildLock.Release();
        }
    }
}
