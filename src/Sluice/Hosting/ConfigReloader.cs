using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;

namespace Sluice.Hosting;

/// <summary>
/// Reloads the config on SIGHUP or when the file changes. A reload that fails validation or
/// cannot bind keeps the running config and logs every reason; the file is only re-applied when
/// its content actually changed (editors fire several events per save).
/// </summary>
internal sealed partial class ConfigReloader : IHostedService, IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly Gateway _gateway;
    private readonly LogLevelSwitch _logLevel;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private PosixSignalRegistration? _sighup;
    private FileSystemWatcher? _watcher;
    private Task? _loop;
    private byte[] _lastHash;
    private volatile bool _forced;
    private readonly HostPort? _initialAdmin;

    public ConfigReloader(Gateway gateway, SluiceConfig initial, LogLevelSwitch logLevel, ILogger<ConfigReloader> logger)
    {
        _gateway = gateway;
        _logLevel = logLevel;
        _logger = logger;
        _path = initial.SourcePath ?? throw new ArgumentException("a reloadable config needs its file path", nameof(initial));
        _lastHash = HashFile(_path);
        _initialAdmin = initial.Admin?.Listen;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Trigger(force: true);
        });

        var directory = Path.GetDirectoryName(Path.GetFullPath(_path))!;
        _watcher = new FileSystemWatcher(directory, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Trigger(force: false);
        _watcher.Created += (_, _) => Trigger(force: false);
        _watcher.Renamed += (_, _) => Trigger(force: false);
        _watcher.EnableRaisingEvents = true;
        _loop = Task.Run(LoopAsync);

        // A save between loading the file and starting the watcher raised no event: look once.
        Trigger(force: false);
        LogWatching(_logger, _path);
        return Task.CompletedTask;
    }

    private void Trigger(bool force)
    {
        if (force)
        {
            _forced = true;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // A reload is already pending; it will read the newest file.
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(_stop.Token);
                await Task.Delay(Debounce, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var forced = _forced;
            _forced = false;
            try
            {
                await ReloadAsync(forced);
            }
            catch (Exception ex)
            {
                LogReloadCrashed(_logger, ex);
            }
        }
    }

    private async Task ReloadAsync(bool forced)
    {
        if (!File.Exists(_path))
        {
            // Mid-save (rename dance) or deleted: nothing to read yet; the next event retries.
            return;
        }

        var hash = HashFile(_path);
        if (!forced && hash.AsSpan().SequenceEqual(_lastHash))
        {
            return;
        }

        _lastHash = hash;
        LogReloading(_logger, _path, forced ? "SIGHUP" : "file change");
        var result = ConfigLoader.Load(_path);
        if (result.Config is null)
        {
            foreach (var error in result.Errors)
            {
                LogInvalid(_logger, error.ToString());
            }

            LogKeptOld(_logger, result.Errors.Count);
            return;
        }

        var errors = await _gateway.ApplyAsync(result.Config);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                LogInvalid(_logger, error);
            }

            LogKeptOld(_logger, errors.Count);
        }
        else
        {
            if (result.Config.Admin?.Listen != _initialAdmin)
            {
                LogAdminNeedsRestart(_logger);
            }

            _logLevel.Set(result.Config.Server.LogLevel);
            LogReloaded(_logger, result.Config.Proxies.Count, result.Config.Clusters.Count);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        if (_loop is not null)
        {
            await _loop;
        }
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        _stop.Dispose();
        _signal.Dispose();
    }

    private static byte[] HashFile(string path)
    {
        try
        {
            return SHA256.HashData(File.ReadAllBytes(path));
        }
        catch (IOException)
        {
            return [];
        }
    }

    [LoggerMessage(EventId = 4026, Level = LogLevel.Information, Message = "watching {Path} for changes; SIGHUP also reloads")]
    private static partial void LogWatching(ILogger logger, string path);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "reloading {Path} ({Trigger})")]
    private static partial void LogReloading(ILogger logger, string path, string trigger);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Information, Message = "reloaded: {Routes} proxy routes, {Clusters} clusters; open connections continue on their old settings")]
    private static partial void LogReloaded(ILogger logger, int routes, int clusters);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Error, Message = "reload refused: {Error}")]
    private static partial void LogInvalid(ILogger logger, string error);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Error, Message = "reload refused with {Count} errors; the running config stays in force")]
    private static partial void LogKeptOld(ILogger logger, int count);

    [LoggerMessage(EventId = 4025, Level = LogLevel.Warning, Message = "[admin] changed: the admin endpoint keeps its address until restart")]
    private static partial void LogAdminNeedsRestart(ILogger logger);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Error, Message = "reload failed unexpectedly; the running config stays in force")]
    private static partial void LogReloadCrashed(ILogger logger, Exception exception);
}
