using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>PciDeviceClass: the class and subclass bytes as one number (0x0100 SCSI ...), and QEMU's name for it when it has one.</summary>
public sealed record QmpPciDeviceClass(
    [property: JsonPropertyName("class"), JsonPropertyOrder(0)] int Class,
    [property: JsonPropertyName("desc"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Desc);
