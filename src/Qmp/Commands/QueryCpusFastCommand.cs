using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>query-cpus-fast: every vCPU with its host thread id and topology position, without interrupting it.</summary>
public sealed class QueryCpusFastCommand : QmpCommand<QmpEmpty, IReadOnlyList<QmpCpuInfoFast>>
{
    public override string Name => "query-cpus-fast";

    public override QmpType ReturnType => QmpCoreSchema.CpuInfoFastList;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<IReadOnlyList<QmpCpuInfoFast>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpCpuInfoFast;

    protected override ValueTask<IReadOnlyList<QmpCpuInfoFast>> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Machine.QueryCpusFast());
}
