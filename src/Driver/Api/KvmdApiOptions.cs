namespace Kvm.Driver.Api;

/// <summary>What the org.libvirt API reports about itself and the host's hypervisor.</summary>
public sealed record KvmdApiOptions
{
    /// <summary>The bus name to own.</summary>
    public string BusName { get; init; } = "org.libvirt";

    /// <summary>
    /// Connect.LibVersion: libvirt 9.0.0 (Debian 12's libvirt, which the reference libvirt-dbus runs against; clients
    /// such as cockpit-machines switch features on at 4.7, 5.2 and 6.8).
    /// </summary>
    public ulong LibVersion { get; init; } = 9_000_000;

    /// <summary>Connect.Version: the QEMU version kvm-vmm's QMP announces (7.2.0), encoded as libvirt does.</summary>
    public ulong HypervisorVersion { get; init; } = 7_002_000;

    /// <summary>The emulator named in capabilities (guest/arch/emulator, domainCapabilities/path).</summary>
    public string EmulatorPath { get; init; } = "/usr/bin/kvm-vmm";

    /// <summary>The most vCPUs kvm-vmm starts a guest with.</summary>
    public int MaxVcpus { get; init; } = 254;
}
