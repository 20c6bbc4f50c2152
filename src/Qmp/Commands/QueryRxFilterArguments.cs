using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of query-rx-filter: the NIC (its id, libvirt's alias net0); all NICs when absent.</summary>
public sealed record QueryRxFilterArguments(
    [property: JsonPropertyName("name")] string? Name);
