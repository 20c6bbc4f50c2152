using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>qom-list's ObjectPropertyInfo: a property's name and type (<c>child&lt;virtio-balloon-pci&gt;</c> for a device).</summary>
public sealed record QmpObjectPropertyInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type);
