using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of qom-get (path, property) and qom-set (and the value).</summary>
public sealed record QomPropertyArguments(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("property")] string Property,
    [property: JsonPropertyName("value")] JsonNode? Value = null);
