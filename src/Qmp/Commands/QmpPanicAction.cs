using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>QAPI PanicAction: what a guest panic reported to a panic device does.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QmpPanicAction>))]
public enum QmpPanicAction
{
    [JsonStringEnumMemberName("pause")] Pause,
    [JsonStringEnumMemberName("shutdown")] Shutdown,
    [JsonStringEnumMemberName("exit-failure")] ExitFailure,
    [JsonStringEnumMemberName("none")] None,
}
