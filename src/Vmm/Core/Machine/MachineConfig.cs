namespace Kvm.Vmm.Machine;

/// <summary>What a Linux guest is made of: memory, vCPUs, the kernel to boot and where its serial console goes.</summary>
public sealed record MachineConfig
{
    public required ulong MemoryBytes { get; init; }

    public int Vcpus { get; init; } = 1;

    /// <summary>Sockets, cores and threads; null means one socket per vCPU (libvirt's default).</summary>
    public CpuTopology? Topology { get; init; }

    public required string KernelPath { get; init; }

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

    /// <summary>The machine's UUID (fw_cfg, and the firmware's SMBIOS tables); the domain's.</summary>
    public Guid Uuid { get; init; }

    /// <summary>Named files the fw_cfg device offers besides its standard items (<c>&lt;sysinfo type='fwcfg'&gt;</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> FwCfgFiles { get; init; } = [];
}
