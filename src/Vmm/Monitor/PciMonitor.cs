using System.Buffers.Binary;
using Kvm.Qmp.Commands;
using Kvm.Vmm.Pci;

namespace Kvm.Vmm.Monitor;

/// <summary>query-pci over the machine's root bus, read from each function's configuration space as QEMU 7.2 reads it.</summary>
internal static class PciMonitor
{
    private const byte HeaderTypeMask = 0x7f; // without the multi-function bit
    private const byte HeaderTypeNormal = 0x00;

    /// <summary>QEMU's names for class/subclass pairs (hw/pci/pci.c pci_class_descriptions): the ones of our devices and the common ones.</summary>
    private static readonly Dictionary<int, string> s_classNames = new()
    {
        [0x0100] = "SCSI controller",
        [0x0101] = "IDE controller",
        [0x0106] = "SATA controller",
        [0x0180] = "Storage controller",
        [0x0200] = "Ethernet controller",
        [0x0280] = "Network controller",
        [0x0300] = "VGA controller",
        [0x0380] = "Display controller",
        [0x0600] = "Host bridge",
        [0x0601] = "ISA bridge",
        [0x0604] = "PCI bridge",
        [0x0680] = "Bridge",
        [0x0c03] = "USB controller",
        [0x0c05] = "SMBus",
    };

    /// <param name="deviceId">The qdev id of the function at an address (libvirt's alias), or null for none.</param>
    public static IReadOnlyList<QmpPciInfo> Query(PciRootBus bus, Func<PciAddress, string?> deviceId) =>
        [new QmpPciInfo(0, [.. bus.Devices.Select(d => Describe(d.Address, d.Device, deviceId(d.Address)))])];

    private static QmpPciDeviceInfo Describe(PciAddress address, IPciDevice device, string? id)
    {
        var config = device.Config;
        Span<byte> header = stackalloc byte[0x40];
        config.Read(0, header);
        int pin = header[PciConfigSpace.InterruptPin];
        int @class = BinaryPrimitives.ReadUInt16LittleEndian(header[(PciConfigSpace.ClassCode + 1)..]);
        bool normal = (header[PciConfigSpace.HeaderType] & HeaderTypeMask) == HeaderTypeNormal;
        var regions = new List<QmpPciMemoryRegion>();
        for (int i = 0; i < config.Bars.Count; i++)
        {
            if (config.Bars[i] is not { } bar)
            {
                continue;
            }

            long address64 = config.DecodedAddress(i) is { } decoded ? (long)decoded : -1; // PCI_BAR_UNMAPPED
            regions.Add(bar.IsMemory
                ? new QmpPciMemoryRegion(bar.Prefetchable, bar.Kind == PciBarKind.Memory64, i, (long)bar.Size, address64, "memory")
                : new QmpPciMemoryRegion(null, null, i, (long)bar.Size, address64, "io"));
        }

        return new QmpPciDeviceInfo
        {
            IrqPin = pin,
            Bus = address.Bus,
            QdevId = id ?? string.Empty,
            Irq = pin != 0 ? header[PciConfigSpace.InterruptLine] : null,
            Slot = address.Slot,
            ClassInfo = new QmpPciDeviceClass(@class, s_classNames.GetValueOrDefault(@class)),
            Id = new QmpPciDeviceId(
                BinaryPrimitives.ReadUInt16LittleEndian(header[PciConfigSpace.DeviceId..]),
                normal ? BinaryPrimitives.ReadUInt16LittleEndian(header[PciConfigSpace.SubsystemVendorId..]) : null,
                BinaryPrimitives.ReadUInt16LittleEndian(header[PciConfigSpace.VendorId..]),
                normal ? BinaryPrimitives.ReadUInt16LittleEndian(header[PciConfigSpace.SubsystemId..]) : null),
            Function = address.Function,
            Regions = regions,
        };
    }
}
