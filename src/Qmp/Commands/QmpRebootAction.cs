using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>QAPI RebootAction: what a guest reset does (QEMU's -action reboot=..., libvirt's on_reboot).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QmpRebootAction>))]
public enum QmpRebootAction
{
    /// <summary>Reset the machine and boot again.</summary>
    [JsonStringEnumMemberName("reset")] Reset,

    /// <summary>Treat the reset as a shutdown (QEMU's -no-reboot).</summary>
    [JsonStringEnumMemberName("shutdown")] Shutdown,
}
