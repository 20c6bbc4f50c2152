using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>QAPI ShutdownAction: what a guest power-off does (QEMU's -action shutdown=...).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QmpShutdownAction>))]
public enum QmpShutdownAction
{
    /// <summary>The VM ends (the process exits).</summary>
    [JsonStringEnumMemberName("poweroff")] Poweroff,

    /// <summary>The vCPUs stop in the "shutdown" run state; system_reset then cont run the guest again (QEMU's -no-shutdown).</summary>
    [JsonStringEnumMemberName("pause")] Pause,
}
