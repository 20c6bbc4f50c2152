using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

public sealed class QueryVersionCommand : QmpCommand<QmpEmpty, QmpVersionInfo>
{
    public override string Name => "query-version";

    public override QmpType ReturnType => QmpCoreSchema.VersionInfo;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpVersionInfo> ResultTypeInfo => QmpJsonContext.Default.QmpVersionInfo;

    protected override ValueTask<QmpVersionInfo> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Version);
}
