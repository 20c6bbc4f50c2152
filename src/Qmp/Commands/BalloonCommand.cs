using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>balloon: sets the memory the guest should keep, in bytes (QEMU 7.2's qmp_balloon; the guest moves towards it).</summary>
public sealed class BalloonCommand : QmpCommand<BalloonArguments, QmpEmpty>
{
    public override string Name => "balloon";

    public override QmpObjectType ArgumentsType => QmpBalloonSchema.BalloonArguments;

    public override QmpType ReturnType => QmpObjectType.Empty;

    protected override JsonTypeInfo<BalloonArguments> ArgumentsTypeInfo => QmpJsonContext.Default.BalloonArguments;

    protected override JsonTypeInfo<QmpEmpty> ResultTypeInfo => QmpJsonContext.Default.QmpEmpty;

    /// <summary>The machine's balloon, or QEMU's DeviceNotActive error.</summary>
    internal static IQmpBalloon Require(IQmpMachine machine) =>
        QomTree.Balloon(machine) ?? throw new QmpException(QmpErrorClass.DeviceNotActive, "No balloon device has been activated");

    protected override ValueTask<QmpEmpty> ExecuteAsync(QmpCommandContext context, BalloonArguments arguments, CancellationToken cancellationToken)
    {
        // As QEMU: first whether there is a balloon, then the size, whose message names QEMU's internal 'target'.
        var balloon = Require(context.Machine);
        if (arguments.Value <= 0)
        {
            throw new QmpException(QmpErrorClass.GenericError, "Parameter 'target' expects a size");
        }

        balloon.SetTarget(arguments.Value);
        return ValueTask.FromResult(QmpEmpty.Instance);
    }
}
