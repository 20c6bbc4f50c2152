using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>QAPI WatchdogAction: what an expired watchdog device does.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QmpWatchdogAction>))]
public enum QmpWatchdogAction
{
    [JsonStringEnumMemberName("reset")] Reset,
    [JsonStringEnumMemberName("shutdown")] Shutdown,
    [JsonStringEnumMemberName("poweroff")] Poweroff,
    [JsonStringEnumMemberName("pause")] Pause,
    [JsonStringEnumMemberName("debug")] Debug,
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("inject-nmi")] InjectNmi,
}
