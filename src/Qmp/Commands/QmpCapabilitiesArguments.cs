using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of qmp_capabilities.</summary>
public sealed record QmpCapabilitiesArguments([property: JsonPropertyName("enable")] IReadOnlyList<string>? Enable);
