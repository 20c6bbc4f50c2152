using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>RxState (QEMU 7.2's qapi/net.json): how a class of packets is filtered.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QmpRxState>))]
public enum QmpRxState
{
    /// <summary>Filtered by the tables.</summary>
    [JsonStringEnumMemberName("normal")] Normal,

    /// <summary>All dropped.</summary>
    [JsonStringEnumMemberName("none")] None,

    /// <summary>All received.</summary>
    [JsonStringEnumMemberName("all")] All,
}
