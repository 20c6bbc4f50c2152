using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of qom-list: an object's path.</summary>
public sealed record QomPathArguments([property: JsonPropertyName("path")] string Path);
