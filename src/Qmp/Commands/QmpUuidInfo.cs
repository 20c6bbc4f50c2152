using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>UuidInfo (query-uuid).</summary>
public sealed record QmpUuidInfo([property: JsonPropertyName("UUID")] string Uuid);
