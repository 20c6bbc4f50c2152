using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// qom-set: the balloon's <c>guest-stats-polling-interval</c> (seconds, 0 stops polling), checked as QEMU 7.2's
/// balloon_stats_set_poll_interval checks it; every other property is read-only or unknown, with QEMU's messages.
/// </summary>
public sealed class QomSetCommand : QmpCommand<QomPropertyArguments, QmpEmpty>
{
    public override string Name => "qom-set";

    public override QmpObjectType ArgumentsType => QmpBalloonSchema.QomSetArguments;

    public override QmpType ReturnType => QmpObjectType.Empty;

    protected override JsonTypeInfo<QomPropertyArguments> ArgumentsTypeInfo => QmpJsonContext.Default.QomPropertyArguments;

    protected override JsonTypeInfo<QmpEmpty> ResultTypeInfo => QmpJsonContext.Default.QmpEmpty;

    protected override ValueTask<QmpEmpty> ExecuteAsync(QmpCommandContext context, QomPropertyArguments arguments, CancellationToken cancellationToken)
    {
        var (id, type) = QomTree.Device(context.Machine, arguments.Path);
        var balloon = QomTree.BalloonNamed(context.Machine, id);
        switch (arguments.Property, balloon)
        {
            case (QomTree.PollingInterval, { } b):
                b.PollingInterval = PollingInterval(arguments.Value);
                break;
            case (QomTree.GuestStats, not null):
                // The statistics live on the virtio device behind the PCI proxy, which QEMU names here.
                throw new QmpException(QmpErrorClass.GenericError, "Property 'virtio-balloon-device.guest-stats' is not writable");
            case ("type", _):
                throw new QmpException(QmpErrorClass.GenericError, $"Property '{type}.type' is not writable");
            default:
                throw QomTree.NoProperty(type, arguments.Property);
        }

        return ValueTask.FromResult(QmpEmpty.Instance);
    }

    private static uint PollingInterval(JsonNode? value)
    {
        if (value is not JsonValue number || !number.TryGetValue(out long seconds))
        {
            throw new QmpException(QmpErrorClass.GenericError, $"Invalid parameter type for '{QomTree.PollingInterval}', expected: integer");
        }

        return seconds switch
        {
            < 0 => throw new QmpException(QmpErrorClass.GenericError, "timer value must be greater than zero"),
            > uint.MaxValue => throw new QmpException(QmpErrorClass.GenericError, "timer value is too big"),
            _ => (uint)seconds,
        };
    }
}
