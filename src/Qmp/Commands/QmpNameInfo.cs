using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>NameInfo (query-name): <c>{}</c> when the VM has no name.</summary>
public sealed record QmpNameInfo(
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name);
