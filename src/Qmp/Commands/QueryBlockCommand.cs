using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>query-block: every disk's backend with its medium (libvirt reads it at start and for domblkinfo).</summary>
public sealed class QueryBlockCommand : QmpCommand<QmpEmpty, IReadOnlyList<QmpBlockInfo>>
{
    public override string Name => "query-block";

    public override QmpType ReturnType => QmpBlockSchema.BlockInfoList;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<IReadOnlyList<QmpBlockInfo>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpBlockInfo;

    protected override ValueTask<IReadOnlyList<QmpBlockInfo>> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Machine is IQmpBlockMachine block ? block.QueryBlock() : []);
}
