using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>query-chardev: the character devices and where they lead (libvirt reads a pty's path from it).</summary>
public sealed class QueryChardevCommand : QmpCommand<QmpEmpty, IReadOnlyList<QmpChardevInfo>>
{
    public override string Name => "query-chardev";

    public override QmpType ReturnType => QmpCoreSchema.ChardevInfoList;

    protected override JsonTypeInfo<QmpEmpty> ArgumentsTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override JsonTypeInfo<IReadOnlyList<QmpChardevInfo>> ResultTypeInfo => QmpJsonContext.Default.IReadOnlyListQmpChardevInfo;

    protected override ValueTask<IReadOnlyList<QmpChardevInfo>> ExecuteAsync(QmpCommandContext context, QmpEmpty arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Machine.QueryChardev());
}
