using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>query-balloon: the guest's memory now, in bytes (QEMU 7.2's qmp_query_balloon).</summary>
public sealed class QueryBalloonCommand : QmpCommand<QmpEmpty, QmpBalloonInfo>
{
    public override string Name => "query-balloon";

    public override QmpType ReturnType => QmpBalloonSchema.BalloonInfo;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<QmpBalloonInfo> ResultTypeInfo => QmpJsonContext.Default.QmpBalloonInfo;

    protected override ValueTask<QmpBalloonInfo> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new QmpBalloonInfo(BalloonCommand.Require(context.Machine).ActualBytes));
}
