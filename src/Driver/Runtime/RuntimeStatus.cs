namespace Kvm.Driver.Runtime;

/// <summary>
/// What kvmd keeps about one running domain in the runtime directory (libvirt's domain status file): enough for a
/// restarted kvmd to find the kvm-vmm process again, check it is the same process, and reconnect to its monitor.
/// </summary>
/// <param name="ProcessStartTime">Field 22 of /proc/&lt;pid&gt;/stat (clock ticks since boot), to tell pid reuse.</param>
/// <param name="ConsolePath">The serial console's host end (pty, file or socket), when it has one.</param>
/// <param name="LiveXml">The running definition (with its id).</param>
/// <param name="FakeReboot">A reboot was asked for and the VMM holds the guest's power-off for kvmd (libvirt keeps fakeReboot in its status file too).</param>
public sealed record RuntimeStatus(
    string Name,
    Guid Uuid,
    int Id,
    int Pid,
    ulong ProcessStartTime,
    string QmpSocket,
    string? ConsolePath,
    string LiveXml,
    bool FakeReboot = false);
