using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>KvmInfo (query-kvm).</summary>
public sealed record QmpKvmInfo(
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("present")] bool Present);
