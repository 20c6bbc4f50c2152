using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// set-action (QEMU 6.0+): what the machine does on a guest reset, power-off, panic or watchdog expiry, changed at
/// run time. libvirt's fake reboot relies on <c>shutdown: pause</c> (QEMU's -no-shutdown).
/// </summary>
public sealed class SetActionCommand : QmpCommand<SetActionArguments, QmpEmpty>
{
    public override string Name => "set-action";

    public override QmpObjectType ArgumentsType => QmpCoreSchema.SetActionArguments;

    public override QmpType ReturnType => QmpObjectType.Empty;

    protected override JsonTypeInfo<SetActionArguments> ArgumentsTypeInfo => QmpJsonContext.Default.SetActionArguments;

    protected override JsonTypeInfo<QmpEmpty> ResultTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override async ValueTask<QmpEmpty> ExecuteAsync(QmpCommandContext context, SetActionArguments arguments, CancellationToken cancellationToken)
    {
        await context.Machine.SetActionAsync(arguments, cancellationToken).ConfigureAwait(false);
        return QmpEmpty.Instance;
    }
}
