using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>QAPI RunState (the values query-status reports).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QmpRunState>))]
public enum QmpRunState
{
    [JsonStringEnumMemberName("debug")] Debug,
    [JsonStringEnumMemberName("inmigrate")] InMigrate,
    [JsonStringEnumMemberName("internal-error")] InternalError,
    [JsonStringEnumMemberName("io-error")] IoError,
    [JsonStringEnumMemberName("paused")] Paused,
    [JsonStringEnumMemberName("postmigrate")] PostMigrate,
    [JsonStringEnumMemberName("prelaunch")] Prelaunch,
    [JsonStringEnumMemberName("finish-migrate")] FinishMigrate,
    [JsonStringEnumMemberName("restore-vm")] RestoreVm,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("save-vm")] SaveVm,
    [JsonStringEnumMemberName("shutdown")] Shutdown,
    [JsonStringEnumMemberName("suspended")] Suspended,
    [JsonStringEnumMemberName("watchdog")] Watchdog,
    [JsonStringEnumMemberName("guest-panicked")] GuestPanicked,
    [JsonStringEnumMemberName("colo")] Colo,
}
