using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// block_resize: grows (or shrinks) a disk while the guest runs; the guest is told through a configuration change.
/// The disk is looked up first, then the size is checked, as QEMU does.
/// </summary>
public sealed class BlockResizeCommand : QmpCommand<BlockResizeArguments, QmpEmpty>
{
    public override string Name => "block_resize";

    public override QmpObjectType ArgumentsType => QmpBlockSchema.BlockResizeArguments;

    public override QmpType ReturnType => QmpObjectType.Empty;

    protected override JsonTypeInfo<BlockResizeArguments> ArgumentsTypeInfo => QmpJsonContext.Default.BlockResizeArguments;

    protected override JsonTypeInfo<QmpEmpty> ResultTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override async ValueTask<QmpEmpty> ExecuteAsync(QmpCommandContext context, BlockResizeArguments arguments, CancellationToken cancellationToken)
    {
        if (context.Machine is not IQmpBlockMachine block)
        {
            throw QmpBlockErrors.NotFound(arguments.Device, arguments.NodeName);
        }

        await block.BlockResizeAsync(arguments.Device, arguments.NodeName, arguments.Size, cancellationToken).ConfigureAwait(false);
        return QmpEmpty.Instance;
    }
}
