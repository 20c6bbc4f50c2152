using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>stop, cont, system_reset, system_powerdown, quit: no arguments, <c>{}</c>, one machine call.</summary>
public sealed class MachineActionCommand : QmpCommand<QmpEmpty, QmpEmpty>
{
    private readonly Func<IQmpMachine, CancellationToken, ValueTask> _action;
    private readonly bool _closeAfterReply;

    public MachineActionCommand(string name, Func<IQmpMachine, CancellationToken, ValueTask> action, bool closeAfterReply = false)
    {
        Name = name;
        _action = action;
        _closeAfterReply = closeAfterReply;
    }

    public override string Name { get; }

    public override QmpType ReturnType => QmpObjectType.Empty;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpEmpty> ResultTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override async ValueTask<QmpEmpty> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken)
    {
        await _action(context.Machine, cancellationToken).ConfigureAwait(false);
        context.CloseAfterReply |= _closeAfterReply;
        return QmpEmpty.Instance;
    }
}
