using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of set_link: the NIC (or netdev) id and whether its link is up.</summary>
public sealed record SetLinkArguments(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("up")] bool Up);
