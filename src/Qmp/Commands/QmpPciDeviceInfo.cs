using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// PciDeviceInfo: one function, in QEMU 7.2's member order. <see cref="Irq"/> (the interrupt line register) is present
/// only when the function has an interrupt pin; <c>pci_bridge</c> is never set (no bridges).
/// </summary>
public sealed record QmpPciDeviceInfo
{
    /// <summary>The interrupt pin register: 0 none, 1 INTA# ... 4 INTD#.</summary>
    [JsonPropertyName("irq_pin"), JsonPropertyOrder(0)] public int IrqPin { get; init; }

    [JsonPropertyName("bus"), JsonPropertyOrder(1)] public int Bus { get; init; }

    /// <summary>The device's id (libvirt's alias, e.g. "virtio-disk0"), or "" when it has none.</summary>
    [JsonPropertyName("qdev_id"), JsonPropertyOrder(2)] public string QdevId { get; init; } = string.Empty;

    [JsonPropertyName("irq"), JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Irq { get; init; }

    [JsonPropertyName("slot"), JsonPropertyOrder(4)] public int Slot { get; init; }

    [JsonPropertyName("class_info"), JsonPropertyOrder(5)] public required QmpPciDeviceClass ClassInfo { get; init; }

    [JsonPropertyName("id"), JsonPropertyOrder(6)] public required QmpPciDeviceId Id { get; init; }

    [JsonPropertyName("function"), JsonPropertyOrder(7)] public int Function { get; init; }

    [JsonPropertyName("regions"), JsonPropertyOrder(8)] public IReadOnlyList<QmpPciMemoryRegion> Regions { get; init; } = [];
}
