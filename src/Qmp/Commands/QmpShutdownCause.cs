using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>QAPI ShutdownCause (reason of SHUTDOWN and RESET events).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QmpShutdownCause>))]
public enum QmpShutdownCause
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("host-error")] HostError,
    [JsonStringEnumMemberName("host-qmp-quit")] HostQmpQuit,
    [JsonStringEnumMemberName("host-qmp-system-reset")] HostQmpSystemReset,
    [JsonStringEnumMemberName("host-signal")] HostSignal,
    [JsonStringEnumMemberName("host-ui")] HostUi,
    [JsonStringEnumMemberName("guest-shutdown")] GuestShutdown,
    [JsonStringEnumMemberName("guest-reset")] GuestReset,
    [JsonStringEnumMemberName("guest-panic")] GuestPanic,
    [JsonStringEnumMemberName("subsystem-reset")] SubsystemReset,
    [JsonStringEnumMemberName("snapshot-load")] SnapshotLoad,
}
