using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

public sealed class QueryUuidCommand : QmpCommand<QmpEmpty, QmpUuidInfo>
{
    public override string Name => "query-uuid";

    public override QmpType ReturnType => QmpCoreSchema.UuidInfo;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpUuidInfo> ResultTypeInfo => QmpJsonContext.Default.QmpUuidInfo;

    protected override ValueTask<QmpUuidInfo> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new QmpUuidInfo(context.Machine.Uuid.ToString("D")));
}
