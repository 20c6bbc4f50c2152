using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>PciInfo (query-pci): one root bus and the functions on it.</summary>
public sealed record QmpPciInfo(
    [property: JsonPropertyName("bus"), JsonPropertyOrder(0)] int Bus,
    [property: JsonPropertyName("devices"), JsonPropertyOrder(1)] IReadOnlyList<QmpPciDeviceInfo> Devices);
