using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// query-rx-filter: the receive filters of the machine's NICs, or of the one named, with QEMU 7.2's errors (net/net.c
/// qmp_query_rx_filter): a netdev's name is "not a NIC", any other unknown name "invalid".
/// </summary>
public sealed class QueryRxFilterCommand : QmpCommand<QueryRxFilterArguments, IReadOnlyList<QmpRxFilterInfo>>
{
    public override string Name => "query-rx-filter";

    public override QmpObjectType ArgumentsType => QmpNetSchema.QueryRxFilterArguments;

    public override QmpType ReturnType => QmpNetSchema.RxFilterInfoList;

    protected override JsonTypeInfo<QueryRxFilterArguments> ArgumentsTypeInfo => QmpJsonContext.Default.QueryRxFilterArguments;

    protected override JsonTypeInfo<IReadOnlyList<QmpRxFilterInfo>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpRxFilterInfo;

    protected override ValueTask<IReadOnlyList<QmpRxFilterInfo>> ExecuteAsync(QmpCommandContext context, QueryRxFilterArguments arguments, CancellationToken cancellationToken)
    {
        var net = context.Machine as IQmpNetMachine;
        IReadOnlyList<QmpRxFilterInfo> filters = net?.QueryRxFilter() ?? [];
        if (arguments.Name is not { } name)
        {
            return ValueTask.FromResult(filters);
        }

        if (filters.FirstOrDefault(f => f.Name == name) is { } filter)
        {
            return ValueTask.FromResult<IReadOnlyList<QmpRxFilterInfo>>([filter]);
        }

        throw new QmpException(QmpErrorClass.GenericError,
            net?.IsNetdev(name) == true ? $"net client({name}) isn't a NIC" : $"invalid net client name: {name}");
    }
}
