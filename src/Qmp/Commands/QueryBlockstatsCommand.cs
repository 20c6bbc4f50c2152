using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>query-blockstats: I/O counters per backend (libvirt's domblkstat), or per named node with query-nodes.</summary>
public sealed class QueryBlockstatsCommand : QmpCommand<QueryBlockstatsArguments, IReadOnlyList<QmpBlockStats>>
{
    public override string Name => "query-blockstats";

    public override QmpObjectType ArgumentsType => QmpBlockSchema.QueryBlockstatsArguments;

    public override QmpType ReturnType => QmpBlockSchema.BlockStatsList;

    protected override JsonTypeInfo<QueryBlockstatsArguments> ArgumentsTypeInfo => QmpJsonContext.Default.QueryBlockstatsArguments;

    protected override JsonTypeInfo<IReadOnlyList<QmpBlockStats>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpBlockStats;

    protected override ValueTask<IReadOnlyList<QmpBlockStats>> ExecuteAsync(QmpCommandContext context, QueryBlockstatsArguments arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Machine is IQmpBlockMachine block ? block.QueryBlockstats(arguments.QueryNodes ?? false) : []);
}
