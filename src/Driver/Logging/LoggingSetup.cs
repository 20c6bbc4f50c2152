using NLog;
using NLog.Targets;

namespace Kvm.Driver.Logging;

/// <summary>Configures NLog once per process: structured console output on stderr, an optional file.</summary>
public static class LoggingSetup
{
    private const string Layout = "${longdate} ${level:uppercase=true} ${logger:shortName=true}: ${message}${onexception:${newline}${exception:format=tostring}}";

    public static void Configure(string processName, LogLevel minLevel, string? logFile = null)
    {
        LogManager.Setup().LoadConfiguration(builder =>
        {
            builder.ForLogger().FilterMinLevel(minLevel).WriteTo(new ConsoleTarget("stderr")
            {
                Layout = $"{processName}: " + Layout,
                StdErr = true,
            });
            if (logFile is not null)
            {
                builder.ForLogger().FilterMinLevel(minLevel).WriteTo(new FileTarget("file")
                {
                    FileName = logFile,
                    Layout = Layout,
                });
            }
        });
    }

    /// <summary>Maps the common <c>--verbose</c>/<c>--debug</c> switches to a level.</summary>
    public static LogLevel LevelFor(bool verbose, bool debug) =>
        debug ? LogLevel.Debug : verbose ? LogLevel.Info : LogLevel.Warn;
}
