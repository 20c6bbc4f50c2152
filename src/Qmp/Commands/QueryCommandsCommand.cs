using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

public sealed class QueryCommandsCommand : QmpCommand<QmpEmpty, IReadOnlyList<QmpCommandInfo>>
{
    public override string Name => "query-commands";

    public override QmpType ReturnType => QmpCoreSchema.CommandInfoList;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<IReadOnlyList<QmpCommandInfo>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpCommandInfo;

    protected override ValueTask<IReadOnlyList<QmpCommandInfo>> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<QmpCommandInfo>>(context.Registry.Commands.Select(c => new QmpCommandInfo(c.Name)).ToArray());
}
