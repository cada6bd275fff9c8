using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>The real `sluice` executable in a child process, for signals, reload and CLI tests.</summary>
public sealed partial class SluiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private SluiceProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public static SluiceProcess Start(string workingDirectory, params string[] args) =>
        Start(workingDirectory, fileLimit: null, args);

    /// <summary>Starts sluice with <c>ulimit -n</c> lowered to <paramref name="fileLimit"/>, to provoke EMFILE.</summary>
    public static SluiceProcess Start(string workingDirectory, int? fileLimit, params string[] args) =>
        Start(workingDirectory, fileLimit, environment: [], args);

    /// <summary>Starts sluice with extra environment variables (e.g. SLUICE_PROXY_ENGINE).</summary>
    public static SluiceProcess Start(string workingDirectory, int? fileLimit, IReadOnlyList<(string Name, string Value)> environment, params string[] args)
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "sluice");
        if (fileLimit is { } limit)
        {
            args = ["-c", $"ulimit -n {limit} && exec \"$0\" \"$@\"", binary, .. args];
            binary = "/bin/bash";
        }

        var info = new ProcessStartInfo(binary)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new SluiceProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs to completion (e.g. `sluice check`) and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        await using var process = Start(workingDirectory, args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Waits for an output line matching <paramref name="pattern"/> and returns the match.</summary>
    public async Task<Match> WaitForOutputAsync(string pattern, TimeSpan timeout, int occurrence = 1)
    {
        var regex = new Regex(pattern);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var matches = regex.Matches(Output);
            if (matches.Count >= occurrence)
            {
                return matches[occurrence - 1];
            }

            if (_process.HasExited)
            {
                // Let the output readers catch up before giving up.
                await Task.Delay(200);
                matches = regex.Matches(Output);
                if (matches.Count >= occurrence)
                {
                    return matches[occurrence - 1];
                }

                throw new InvalidOperationException($"sluice exited ({_process.ExitCode}) before printing /{pattern}/:\n{Output}");
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"no /{pattern}/ within {timeout}:\n{Output}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>The endpoint a route or echo server reported in its "listening on" log line.</summary>
    public async Task<IPEndPoint> ListeningAsync(string name, TimeSpan timeout)
    {
        var match = await WaitForOutputAsync($"\"{Regex.Escape(name)}\" listening on (\\S+)", timeout);
        return IPEndPoint.Parse(match.Groups[1].Value);
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigTerm = 15;

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"sluice did not exit within {timeout}:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>CPU time the process has used (user + system), from /proc.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
