using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>query-pci: the functions on each root bus with their ids, class, interrupt and BARs.</summary>
public sealed class QueryPciCommand : QmpCommand<QmpEmpty, IReadOnlyList<QmpPciInfo>>
{
    public override string Name => "query-pci";

    public override QmpType ReturnType => QmpPciSchema.PciInfoList;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<IReadOnlyList<QmpPciInfo>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpPciInfo;

    protected override ValueTask<IReadOnlyList<QmpPciInfo>> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Machine is IQmpPciMachine pci ? pci.QueryPci() : []);
}
