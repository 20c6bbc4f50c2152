using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>TargetInfo (query-target).</summary>
public sealed record QmpTargetInfo([property: JsonPropertyName("arch")] string Arch);
