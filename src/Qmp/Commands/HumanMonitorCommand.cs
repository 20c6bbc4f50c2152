using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>human-monitor-command for the HMP commands people type: info status, info version, info name.</summary>
public sealed class HumanMonitorCommand : QmpCommand<HumanMonitorCommandArguments, string>
{
    public override string Name => "human-monitor-command";

    public override QmpObjectType ArgumentsType => QmpCoreSchema.HumanMonitorCommandArguments;

    public override QmpType ReturnType => QmpBuiltinType.Str;

    protected override JsonTypeInfo<HumanMonitorCommandArguments> ArgumentsTypeInfo => QmpJsonContext.Default.HumanMonitorCommandArguments;

    protected override JsonTypeInfo<string> ResultTypeInfo => QmpJsonContext.Default.String;

    protected override ValueTask<string> ExecuteAsync(QmpCommandContext context, HumanMonitorCommandArguments arguments, CancellationToken cancellationToken)
    {
        string line = arguments.CommandLine.Trim();
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string output = words switch
        {
            [] => string.Empty,
            ["info", "status"] => StatusLine(context.Machine.RunState),
            ["info", "version"] => VersionLine(context.Version),
            ["info", "name"] => context.Machine.Name is { } name ? $"{name}\r\n" : string.Empty,
            ["info"] => "info: missing subcommand\r\n",
            ["info", var other, ..] => $"unknown command: 'info {other}'\r\n",
            [var command, ..] => $"unknown command: '{command}'\r\n",
        };
        return ValueTask.FromResult(output);
    }

    private static string StatusLine(QmpRunState state) => state switch
    {
        QmpRunState.Running => "VM status: running\r\n",
        QmpRunState.Paused => "VM status: paused\r\n",
        _ => $"VM status: paused ({RunStateName(state)})\r\n",
    };

    private static string VersionLine(QmpVersionInfo version) =>
        $"{version.Qemu.Major}.{version.Qemu.Minor}.{version.Qemu.Micro}{version.Package}\r\n";

    /// <summary>The QAPI name, from the enum's one JSON table.</summary>
    private static string RunStateName(QmpRunState state) =>
        System.Text.Json.JsonSerializer.Serialize(state, QmpJsonContext.Default.QmpRunState).Trim('"');
}
