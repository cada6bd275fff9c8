using Microsoft.Extensions.Logging;
using Sluice.Configuration;

namespace Sluice.Hosting;

/// <summary>The minimum log level, changeable by a reload without rebuilding the logging pipeline.</summary>
public sealed class LogLevelSwitch(LogLevelSetting initial)
{
    private volatile int _level = (int)ToLogLevel(initial);

    public LogLevel Level => (LogLevel)_level;

    public void Set(LogLevelSetting setting) => _level = (int)ToLogLevel(setting);

    public bool IsEnabled(LogLevel level) => level >= Level;

    public static LogLevel ToLogLevel(LogLevelSetting setting) => setting switch
    {
        LogLevelSetting.Trace => LogLevel.Trace,
        LogLevelSetting.Debug => LogLevel.Debug,
        LogLevelSetting.Info => LogLevel.Information,
        LogLevelSetting.Warn => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
