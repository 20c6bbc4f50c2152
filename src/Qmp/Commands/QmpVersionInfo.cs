using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>VersionInfo: the greeting's <c>version</c> and query-version's return.</summary>
public sealed record QmpVersionInfo(
    [property: JsonPropertyName("qemu")] QmpVersionTriple Qemu,
    [property: JsonPropertyName("package")] string Package);
