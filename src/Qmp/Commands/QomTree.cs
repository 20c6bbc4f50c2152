namespace Kvm.Qmp.Commands;

/// <summary>
/// The part of QEMU's QOM tree the monitor answers for: /machine/peripheral and the devices in it, with the balloon's
/// statistics properties (hw/virtio/virtio-balloon.c). Errors are QEMU's texts.
/// </summary>
internal static class QomTree
{
    public const string Peripheral = "/machine/peripheral";
    public const string BalloonType = "virtio-balloon-pci";
    public const string GuestStats = "guest-stats";
    public const string PollingInterval = "guest-stats-polling-interval";

    public static IReadOnlyList<QmpObjectPropertyInfo> Peripherals(IQmpMachine machine)
    {
        if (machine is IQmpQomMachine qom)
        {
            return qom.Peripherals;
        }

        return Balloon(machine) is { } balloon ? [new QmpObjectPropertyInfo(balloon.Id, $"child<{BalloonType}>")] : [];
    }

    public static IQmpBalloon? Balloon(IQmpMachine machine) => (machine as IQmpBalloonMachine)?.Balloon;

    /// <summary>The device at <paramref name="path"/> (its id and QOM type), or DeviceNotFound as QEMU says it.</summary>
    public static (string Id, string Type) Device(IQmpMachine machine, string path)
    {
        if (path.StartsWith(Peripheral + "/", StringComparison.Ordinal))
        {
            string id = path[(Peripheral.Length + 1)..];
            foreach (var child in Peripherals(machine))
            {
                if (child.Name == id && child.Type.StartsWith("child<", StringComparison.Ordinal) && child.Type.EndsWith('>'))
                {
                    return (id, child.Type[6..^1]);
                }
            }
        }

        throw NotFound(path);
    }

    /// <summary>The balloon when <paramref name="id"/> names it.</summary>
    public static IQmpBalloon? BalloonNamed(IQmpMachine machine, string id) => Balloon(machine) is { } b && b.Id == id ? b : null;

    public static QmpException NotFound(string path) => new(QmpErrorClass.DeviceNotFound, $"Device '{path}' not found");

    public static QmpException NoProperty(string type, string property) => new(QmpErrorClass.GenericError, $"Property '{type}.{property}' not found");
}
