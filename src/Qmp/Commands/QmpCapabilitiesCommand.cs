using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// qmp_capabilities. Negotiation itself is done by the session (it owns the capability state); once
/// negotiated, this command answers as QEMU does.
/// </summary>
public sealed class QmpCapabilitiesCommand : QmpCommand<QmpCapabilitiesArguments, QmpEmpty>
{
    public const string CommandName = "qmp_capabilities";

    public override string Name => CommandName;

    public override QmpObjectType ArgumentsType => QmpCoreSchema.QmpCapabilitiesArguments;

    public override QmpType ReturnType => QmpObjectType.Empty;

    protected override JsonTypeInfo<QmpCapabilitiesArguments> ArgumentsTypeInfo => QmpJsonContext.Default.QmpCapabilitiesArguments;

    protected override JsonTypeInfo<QmpEmpty> ResultTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override ValueTask<QmpEmpty> ExecuteAsync(QmpCommandContext context, QmpCapabilitiesArguments arguments, CancellationToken cancellationToken)
    {
        ThrowHelper.ThrowQmp(QmpErrorClass.CommandNotFound, "Capabilities negotiation is already complete, command ignored");
        return default;
    }
}
