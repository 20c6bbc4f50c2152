using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

public sealed class QueryKvmCommand : QmpCommand<QmpEmpty, QmpKvmInfo>
{
    public override string Name => "query-kvm";

    public override QmpType ReturnType => QmpCoreSchema.KvmInfo;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpKvmInfo> ResultTypeInfo => QmpJsonContext.Default.QmpKvmInfo;

    protected override ValueTask<QmpKvmInfo> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Machine.Kvm);
}
