using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>set_link: brings a NIC's link up or down, as the guest then sees it (QEMU 7.2's net/net.c qmp_set_link).</summary>
public sealed class SetLinkCommand : QmpCommand<SetLinkArguments, QmpEmpty>
{
    public override string Name => "set_link";

    public override QmpObjectType ArgumentsType => QmpNetSchema.SetLinkArguments;

    public override QmpType ReturnType => QmpObjectType.Empty;

    protected override JsonTypeInfo<SetLinkArguments> ArgumentsTypeInfo => QmpJsonContext.Default.SetLinkArguments;

    protected override JsonTypeInfo<QmpEmpty> ResultTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override ValueTask<QmpEmpty> ExecuteAsync(QmpCommandContext context, SetLinkArguments arguments, CancellationToken cancellationToken)
    {
        if (context.Machine is not IQmpNetMachine net || !net.SetLink(arguments.Name, arguments.Up))
        {
            throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{arguments.Name}' not found");
        }

        return ValueTask.FromResult(QmpEmpty.Instance);
    }
}
