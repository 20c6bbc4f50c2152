using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of block_resize: the disk by backend name (<c>device</c>) or node name, and its new size in bytes.</summary>
public sealed record BlockResizeArguments(
    [property: JsonPropertyName("device")] string? Device,
    [property: JsonPropertyName("node-name")] string? NodeName,
    [property: JsonPropertyName("size")] long Size);
