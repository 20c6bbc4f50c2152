using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// qom-list: the properties of /machine/peripheral (its type, then one <c>child&lt;TYPE&gt;</c> per device with an id,
/// which is how libvirt finds the balloon's path) and of a device there. Other paths are not part of our tree.
/// </summary>
public sealed class QomListCommand : QmpCommand<QomPathArguments, IReadOnlyList<QmpObjectPropertyInfo>>
{
    public override string Name => "qom-list";

    public override QmpObjectType ArgumentsType => QmpBalloonSchema.QomListArguments;

    public override QmpType ReturnType => QmpBalloonSchema.ObjectPropertyInfoList;

    protected override JsonTypeInfo<QomPathArguments> ArgumentsTypeInfo => QmpJsonContext.Default.QomPathArguments;

    protected override JsonTypeInfo<IReadOnlyList<QmpObjectPropertyInfo>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpObjectPropertyInfo;

    protected override ValueTask<IReadOnlyList<QmpObjectPropertyInfo>> ExecuteAsync(QmpCommandContext context, QomPathArguments arguments, CancellationToken cancellationToken)
    {
        var type = new QmpObjectPropertyInfo("type", "string");
        if (arguments.Path is QomTree.Peripheral or QomTree.Peripheral + "/")
        {
            return ValueTask.FromResult<IReadOnlyList<QmpObjectPropertyInfo>>([type, .. QomTree.Peripherals(context.Machine)]);
        }

        var (id, _) = QomTree.Device(context.Machine, arguments.Path);
        return ValueTask.FromResult<IReadOnlyList<QmpObjectPropertyInfo>>(QomTree.BalloonNamed(context.Machine, id) is null
            ? [type]
            : [type, new(QomTree.GuestStats, "guest-stats"), new(QomTree.PollingInterval, "int")]);
    }
}
