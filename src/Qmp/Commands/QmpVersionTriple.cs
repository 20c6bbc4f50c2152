using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>VersionTriple; written micro, minor, major as QEMU does.</summary>
public sealed record QmpVersionTriple(
    [property: JsonPropertyName("major"), JsonPropertyOrder(2)] long Major,
    [property: JsonPropertyName("minor"), JsonPropertyOrder(1)] long Minor,
    [property: JsonPropertyName("micro"), JsonPropertyOrder(0)] long Micro);
