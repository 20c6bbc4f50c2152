using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>PciDeviceId: vendor and device, and for a type 0 (non-bridge) header the subsystem pair.</summary>
public sealed record QmpPciDeviceId(
    [property: JsonPropertyName("device"), JsonPropertyOrder(0)] int Device,
    [property: JsonPropertyName("subsystem-vendor"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SubsystemVendor,
    [property: JsonPropertyName("vendor"), JsonPropertyOrder(2)] int Vendor,
    [property: JsonPropertyName("subsystem"), JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Subsystem);
