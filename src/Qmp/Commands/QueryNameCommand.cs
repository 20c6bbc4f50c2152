using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

public sealed class QueryNameCommand : QmpCommand<QmpEmpty, QmpNameInfo>
{
    public override string Name => "query-name";

    public override QmpType ReturnType => QmpCoreSchema.NameInfo;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpNameInfo> ResultTypeInfo => QmpJsonContext.Default.QmpNameInfo;

    protected override ValueTask<QmpNameInfo> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new QmpNameInfo(context.Machine.Name));
}
