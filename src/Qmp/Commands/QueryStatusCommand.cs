using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

public sealed class QueryStatusCommand : QmpCommand<QmpEmpty, QmpStatusInfo>
{
    public override string Name => "query-status";

    public override QmpType ReturnType => QmpCoreSchema.StatusInfo;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpStatusInfo> ResultTypeInfo => QmpJsonContext.Default.QmpStatusInfo;

    protected override ValueTask<QmpStatusInfo> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken)
    {
        QmpRunState state = context.Machine.RunState;
        return ValueTask.FromResult(new QmpStatusInfo(state, Singlestep: false, Running: state == QmpRunState.Running));
    }
}
