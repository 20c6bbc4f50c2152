using System.Text.Json.Serialization;

namespace Kvm.Driver.Runtime;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RuntimeStatus))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
