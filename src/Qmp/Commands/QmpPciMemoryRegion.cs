using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// PciMemoryRegion: one BAR. <see cref="Address"/> is -1 while the BAR does not decode (QEMU's PCI_BAR_UNMAPPED);
/// <see cref="Prefetch"/> and <see cref="MemType64"/> are given for memory BARs only.
/// </summary>
public sealed record QmpPciMemoryRegion(
    [property: JsonPropertyName("prefetch"), JsonPropertyOrder(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Prefetch,
    [property: JsonPropertyName("mem_type_64"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? MemType64,
    [property: JsonPropertyName("bar"), JsonPropertyOrder(2)] int Bar,
    [property: JsonPropertyName("size"), JsonPropertyOrder(3)] long Size,
    [property: JsonPropertyName("address"), JsonPropertyOrder(4)] long Address,
    [property: JsonPropertyName("type"), JsonPropertyOrder(5)] string Type);
