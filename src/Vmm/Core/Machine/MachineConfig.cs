namespace Kvm.Vmm.Machine;

/// <summary>
/// What a guest is made of: memory, vCPUs, what it boots (a Linux kernel directly, or firmware that boots the disks)
/// and where its serial console goes.
/// </summary>
public sealed record MachineConfig
{
    public required ulong MemoryBytes { get; init; }

    public int Vcpus { get; init; } = 1;

    /// <summary>
    /// Whether the in-kernel PIT delivers the ticks a guest missed once it can take them again (QEMU's default, libvirt's
    /// <c>&lt;timer name='pit' tickpolicy='delay'/&gt;</c>); false drops them (<c>tickpolicy='discard'</c>, KVM_REINJECT_CONTROL).
    /// </summary>
    public bool PitReinject { get; init; } = true;

    /// <summary>The chipset: QEMU's pc (i440FX and PIIX, the default) or q35 (MCH and ICH9).</summary>
    public Chipset Chipset { get; init; } = Chipset.I440fx;

    /// <summary>Sockets, cores and threads; null means one socket per vCPU (libvirt's default).</summary>
    public CpuTopology? Topology { get; init; }

    /// <summary>The Linux kernel (bzImage) to boot directly; null to boot through <see cref="FirmwarePath"/>.</summary>
    public string? KernelPath { get; init; }

    /// <summary>
    /// The legacy BIOS image (SeaBIOS's bios-256k.bin) the machine boots through when it has no <see cref="KernelPath"/>;
    /// exactly one of the two is set.
    /// </summary>
    public string? FirmwarePath { get; init; }

    /// <summary>
    /// UEFI boot: the variable store (the domain's NVRAM file, written through) beside <see cref="FirmwarePath"/>, which
    /// is then the UEFI code for flash (OVMF_CODE) rather than a BIOS image; null for a BIOS.
    /// </summary>
    public string? NvramPath { get; init; }

    /// <summary>Firmware boot: the disks (indices into <see cref="Disks"/>) in the order the firmware tries them; empty: its own order.</summary>
    public IReadOnlyList<int> BootDisks { get; init; } = [];

    public string? InitrdPath { get; init; }

    public string CommandLine { get; init; } = string.Empty;

    /// <summary>
    /// Where COM1's output goes: usually a <see cref="Devices.SerialOutputBuffer"/>, which outlives the machine when a
    /// reset rebuilds it from this configuration.
    /// </summary>
    public required Devices.ISerialOutput SerialOutput { get; init; }

    /// <summary>
    /// An isa-debug-exit device, through which the guest ends the machine with an exit status of its choosing
    /// (<see cref="MachineExitReason.GuestDebugExit"/>); null, the default, gives the guest no such power.
    /// </summary>
    public DebugExitConfig? DebugExit { get; init; }

    /// <summary>virtio-blk disks on the PCI bus.</summary>
    public IReadOnlyList<DiskConfig> Disks { get; init; } = [];

    /// <summary>virtio-rng devices on the PCI bus.</summary>
    public IReadOnlyList<RngConfig> Rngs { get; init; } = [];

    /// <summary>virtio-net NICs on the PCI bus.</summary>
    public IReadOnlyList<NicConfig> Nics { get; init; } = [];

    /// <summary>The virtio-vsock device on the PCI bus (through vhost-vsock); null for none.</summary>
    public VsockConfig? Vsock { get; init; }

    /// <summary>The virtio-balloon device on the PCI bus (<c>&lt;memballoon model='virtio'&gt;</c>); null for none.</summary>
    public BalloonConfig? Balloon { get; init; }

    /// <summary>The machine's UUID (fw_cfg, and the firmware's SMBIOS tables); the domain's.</summary>
    public Guid Uuid { get; init; }

    /// <summary>
    /// Milliseconds the BIOS waits before trying again when nothing booted (<c>&lt;bios rebootTimeout&gt;</c>); -1, the
    /// default as under QEMU, never: the machine stays up saying "No bootable device."
    /// </summary>
    public int BootFailWaitMilliseconds { get; init; } = -1;

    /// <summary>Whether the firmware offers its boot menu (<c>&lt;bootmenu enable='yes'&gt;</c>, QEMU's <c>-boot menu=on</c>).</summary>
    public bool BootMenu { get; init; }

    /// <summary>How long the firmware's boot menu waits for a key, in milliseconds (<c>&lt;bootmenu timeout&gt;</c>); null: the firmware's default.</summary>
    public ushort? BootMenuWaitMilliseconds { get; init; }

    /// <summary>
    /// The SMBIOS identity over kvm-vmm's defaults (<c>&lt;sysinfo type='smbios'&gt;</c> with <c>&lt;smbios
    /// mode='sysinfo'&gt;</c>, or the host's with <c>mode='host'</c>); empty: the defaults.
    /// </summary>
    public Firmware.Smbios.SmbiosConfig Smbios { get; init; } = Firmware.Smbios.SmbiosConfig.Empty;

    /// <summary>The machine type as the domain names it (<c>pc-i440fx-7.2</c>), the SMBIOS version; null: "pc" or "q35".</summary>
    public string? MachineType { get; init; }

    /// <summary>Named files the fw_cfg device offers besides its standard items (<c>&lt;sysinfo type='fwcfg'&gt;</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> FwCfgFiles { get; init; } = [];
}
