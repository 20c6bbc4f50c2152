namespace Kvm.Vmm.Devices.FwCfg;

/// <summary>The selector keys of QEMU's fw_cfg items (docs/specs/fw_cfg, Linux's uapi qemu_fw_cfg.h).</summary>
public static class FwCfgKey
{
    public const ushort Signature = 0x00;
    public const ushort Id = 0x01;
    public const ushort Uuid = 0x02;
    public const ushort RamSize = 0x03;
    public const ushort NoGraphic = 0x04;
    public const ushort CpuCount = 0x05;
    public const ushort BootMenu = 0x0e;
    public const ushort MaxCpus = 0x0f;
    public const ushort FileDirectory = 0x19;

    /// <summary>The key of the first named file; files take the keys after it in name order.</summary>
    public const ushort FirstFile = 0x20;

    /// <summary>Selector bit 14: the item is opened for writing (no item of ours is writable).</summary>
    public const ushort WriteChannel = 0x4000;

    /// <summary>Selector bit 15: an architecture-specific item (none on our x86 machines; SeaBIOS asks for QEMU's legacy 0x8000-0x8003).</summary>
    public const ushort ArchLocal = 0x8000;

    /// <summary>A file name's room in the directory, its terminating NUL included.</summary>
    public const int MaxNameBytes = 56;
}
