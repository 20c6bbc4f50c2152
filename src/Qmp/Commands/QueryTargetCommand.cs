using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

public sealed class QueryTargetCommand : QmpCommand<QmpEmpty, QmpTargetInfo>
{
    public override string Name => "query-target";

    public override QmpType ReturnType => QmpCoreSchema.TargetInfo;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpTargetInfo> ResultTypeInfo => QmpJsonContext.Default.QmpTargetInfo;

    protected override ValueTask<QmpTargetInfo> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new QmpTargetInfo(context.Machine.Arch));
}
