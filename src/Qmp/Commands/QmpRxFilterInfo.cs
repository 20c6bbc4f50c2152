using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// RxFilterInfo (QEMU 7.2's qapi/net.json): one NIC's receive filter, as query-rx-filter returns it. Members in the order
/// QEMU 7.2 writes them (its QDict's hash order, seen in a real QEMU's reply).
/// </summary>
public sealed record QmpRxFilterInfo(
    [property: JsonPropertyName("name"), JsonPropertyOrder(1)] string Name,
    [property: JsonPropertyName("promiscuous"), JsonPropertyOrder(0)] bool Promiscuous,
    [property: JsonPropertyName("multicast"), JsonPropertyOrder(7)] QmpRxState Multicast,
    [property: JsonPropertyName("unicast"), JsonPropertyOrder(3)] QmpRxState Unicast,
    [property: JsonPropertyName("vlan"), JsonPropertyOrder(4)] QmpRxState Vlan,
    [property: JsonPropertyName("broadcast-allowed"), JsonPropertyOrder(11)] bool BroadcastAllowed,
    [property: JsonPropertyName("multicast-overflow"), JsonPropertyOrder(8)] bool MulticastOverflow,
    [property: JsonPropertyName("unicast-overflow"), JsonPropertyOrder(9)] bool UnicastOverflow,
    [property: JsonPropertyName("main-mac"), JsonPropertyOrder(2)] string MainMac,
    [property: JsonPropertyName("vlan-table"), JsonPropertyOrder(5)] IReadOnlyList<int> VlanTable,
    [property: JsonPropertyName("unicast-table"), JsonPropertyOrder(6)] IReadOnlyList<string> UnicastTable,
    [property: JsonPropertyName("multicast-table"), JsonPropertyOrder(10)] IReadOnlyList<string> MulticastTable);
