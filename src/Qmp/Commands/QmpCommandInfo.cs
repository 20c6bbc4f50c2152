using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>CommandInfo (query-commands).</summary>
public sealed record QmpCommandInfo([property: JsonPropertyName("name")] string Name);
