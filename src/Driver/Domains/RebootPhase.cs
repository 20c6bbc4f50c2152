namespace Kvm.Driver.Domains;

/// <summary>
/// Where a domain is in libvirt's "fake reboot" (qemuDomainReboot on QEMU): the guest is asked to power off through
/// ACPI, its VMM holds the powered-off machine (set-action shutdown=pause) and kvmd resets it and runs it again.
/// </summary>
public enum RebootPhase
{
    /// <summary>No reboot is pending: a guest power-off ends the domain as on_poweroff says.</summary>
    None,

    /// <summary>A reboot asked the guest to power off (libvirt's fakeReboot); it has not done so yet.</summary>
    Requested,

    /// <summary>The guest powered off and the VMM holds it, stopped, for kvmd's reset (libvirt's pausedShutdown).</summary>
    GuestOff,
}
