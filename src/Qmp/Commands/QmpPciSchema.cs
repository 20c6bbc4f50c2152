using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>Schema types of query-pci (QEMU 7.2's qapi/pci.json), every member QEMU declares.</summary>
public static class QmpPciSchema
{
    private static readonly QmpObjectType s_memoryRange = new(
        "PciMemoryRange", new QmpMember("base", QmpBuiltinType.Int), new QmpMember("limit", QmpBuiltinType.Int));

    private static readonly QmpObjectType s_busInfo = new(
        "PciBusInfo",
        new QmpMember("number", QmpBuiltinType.Int),
        new QmpMember("secondary", QmpBuiltinType.Int),
        new QmpMember("subordinate", QmpBuiltinType.Int),
        new QmpMember("io_range", s_memoryRange),
        new QmpMember("memory_range", s_memoryRange),
        new QmpMember("prefetchable_range", s_memoryRange));

    public static QmpObjectType PciDeviceInfo { get; } = new("PciDeviceInfo", self =>
    [
        new QmpMember("bus", QmpBuiltinType.Int),
        new QmpMember("slot", QmpBuiltinType.Int),
        new QmpMember("function", QmpBuiltinType.Int),
        new QmpMember("class_info", new QmpObjectType(
            "PciDeviceClass", new QmpMember("desc", QmpBuiltinType.Str, Optional: true), new QmpMember("class", QmpBuiltinType.Int))),
        new QmpMember("id", new QmpObjectType(
            "PciDeviceId",
            new QmpMember("device", QmpBuiltinType.Int),
            new QmpMember("vendor", QmpBuiltinType.Int),
            new QmpMember("subsystem", QmpBuiltinType.Int, Optional: true),
            new QmpMember("subsystem-vendor", QmpBuiltinType.Int, Optional: true))),
        new QmpMember("irq", QmpBuiltinType.Int, Optional: true),
        new QmpMember("irq_pin", QmpBuiltinType.Int),
        new QmpMember("qdev_id", QmpBuiltinType.Str),
        new QmpMember("pci_bridge", new QmpObjectType(
            "PciBridgeInfo", new QmpMember("bus", s_busInfo), new QmpMember("devices", new QmpArrayType(self), Optional: true)), Optional: true),
        new QmpMember("regions", new QmpArrayType(new QmpObjectType(
            "PciMemoryRegion",
            new QmpMember("bar", QmpBuiltinType.Int),
            new QmpMember("type", QmpBuiltinType.Str),
            new QmpMember("address", QmpBuiltinType.Int),
            new QmpMember("size", QmpBuiltinType.Int),
            new QmpMember("prefetch", QmpBuiltinType.Bool, Optional: true),
            new QmpMember("mem_type_64", QmpBuiltinType.Bool, Optional: true)))),
    ]);

    public static QmpArrayType PciInfoList { get; } = new(new QmpObjectType(
        "PciInfo", new QmpMember("bus", QmpBuiltinType.Int), new QmpMember("devices", new QmpArrayType(PciDeviceInfo))));
}
