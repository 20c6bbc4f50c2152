namespace Kvm.Vmm.Firmware.Smbios;

/// <summary>The structures, one method per type; offsets and values as SMBIOS 3.0 (DSP0134) section 7 gives them.</summary>
public sealed partial class SmbiosTables
{
    /// <summary>kvm-vmm's identity where a user gives none: the manufacturer, BIOS vendor and the like.</summary>
    public const string DefaultManufacturer = "kvm-vmm";

    public const string DefaultBiosVersion = "1.0";

    public const string DefaultBiosDate = "12/01/2026";

    public const string DefaultFamily = "Virtual Machine";

    /// <summary>Memory devices are at most this large, as QEMU splits RAM into 16 GiB DIMMs.</summary>
    private const ulong MaxDeviceBytes = 16UL << 30;

    /// <summary>No handle (errors not provided, caches not described).</summary>
    private const ushort NoHandle = 0xffff;
    private const ushort ErrorsNotProvided = 0xfffe;

    /// <summary>
    /// A structure's handle: 0x200 per type, then the instance, so every cross-reference is known in advance and no
    /// two collide (at most 254 sockets; 512 memory devices of 16 GiB are 8 TiB).
    /// </summary>
    private static ushort Handle(byte type, int index) => (ushort)((type * 0x200) + index);

    private static IEnumerable<SmbiosStructure> Structures(SmbiosConfig config, SmbiosPlatform platform)
    {
        if (!platform.FirmwareWritesBios || config.HasBios)
        {
            yield return Bios(config, platform.FirmwareWritesBios);
        }

        yield return SystemInfo(config, platform);
        var boards = config.BaseBoards.Count > 0 ? config.BaseBoards : [new SmbiosBaseBoard()];
        for (int i = 0; i < boards.Count; i++)
        {
            yield return BaseBoard(boards[i], i, platform);
        }

        yield return Chassis(config, platform);
        for (int socket = 0; socket < platform.Sockets; socket++)
        {
            yield return Processor(socket, platform);
        }

        if (config.OemStrings.Count > 0)
        {
            var oem = new SmbiosStructure(11, 5, Handle(11, 0));
            foreach (string s in config.OemStrings)
            {
                oem.AddString(s);
            }

            yield return oem.Byte(4, (byte)config.OemStrings.Count);
        }

        ulong ram = platform.RamRegions.Aggregate(0UL, (sum, r) => sum + r.Size);
        int devices = (int)Math.Max(1, (ram + MaxDeviceBytes - 1) / MaxDeviceBytes);
        yield return MemoryArray(ram, devices);
        for (int i = 0; i < devices; i++)
        {
            yield return MemoryDevice(i, Math.Min(MaxDeviceBytes, ram - (ulong)i * MaxDeviceBytes));
        }

        for (int i = 0; i < platform.RamRegions.Count; i++)
        {
            yield return MappedAddress(i, platform.RamRegions[i].Address, platform.RamRegions[i].Size);
        }

        // Type 32, System Boot Information: 6 reserved bytes, then status 0, "no errors detected".
        yield return new SmbiosStructure(32, 0x0b, Handle(32, 0));
        yield return new SmbiosStructure(127, 4, Handle(127, 0));
    }

    /// <summary>Type 0 (7.1), 2.4 layout: firmware boot gives only what the user gave, a direct boot kvm-vmm's defaults.</summary>
    private static SmbiosStructure Bios(SmbiosConfig config, bool userOnly)
    {
        var release = config.BiosRelease ?? (userOnly ? ((byte)0xff, (byte)0xff) : ((byte)1, (byte)0));
        return new SmbiosStructure(0, 0x18, Handle(0, 0))
            .String(4, config.BiosVendor ?? (userOnly ? null : DefaultManufacturer))
            .String(5, config.BiosVersion ?? (userOnly ? null : DefaultBiosVersion))
            .Word(6, 0xf000)                // starting address segment
            .String(8, config.BiosDate ?? (userOnly ? null : DefaultBiosDate))
            .Byte(9, 0)                     // ROM size: 64 KiB
            .Qword(0x0a, 1UL << 3)          // characteristics: "BIOS characteristics are not supported"
            .Byte(0x12, 0)
            .Byte(0x13, (1 << 2) | (1 << 4)) // extension byte 2: targeted content distribution; a virtual machine
            .Byte(0x14, release.Item1)
            .Byte(0x15, release.Item2)
            .Byte(0x16, 0xff)               // no embedded controller
            .Byte(0x17, 0xff);
    }

    /// <summary>Type 1 (7.2), 2.4 layout: the UUID in SMBIOS order (time fields little-endian, 7.2.1), wake-up by power switch.</summary>
    private static SmbiosStructure SystemInfo(SmbiosConfig config, SmbiosPlatform platform) =>
        new SmbiosStructure(1, 0x1b, Handle(1, 0))
            .String(4, config.SystemManufacturer ?? DefaultManufacturer)
            .String(5, config.SystemProduct ?? platform.Product)
            .String(6, config.SystemVersion ?? platform.MachineType)
            .String(7, config.SystemSerial)
            .Bytes(8, platform.Uuid.ToByteArray())
            .Byte(0x18, 0x06)
            .String(0x19, config.SystemSku)
            .String(0x1a, config.SystemFamily ?? DefaultFamily);

    /// <summary>Type 2 (7.3): a motherboard (0x0A) that hosts the others (feature flag bit 0), in the chassis, no contained handles.</summary>
    private static SmbiosStructure BaseBoard(SmbiosBaseBoard board, int index, SmbiosPlatform platform) =>
        new SmbiosStructure(2, 0x0f, Handle(2, index))
            .String(4, board.Manufacturer ?? DefaultManufacturer)
            .String(5, board.Product ?? platform.Product)
            .String(6, board.Version ?? platform.MachineType)
            .String(7, board.Serial)
            .String(8, board.Asset)
            .Byte(9, 0x01)
            .String(0x0a, board.Location)
            .Word(0x0b, Handle(3, 0))
            .Byte(0x0d, 0x0a)
            .Byte(0x0e, 0);

    /// <summary>Type 3 (7.4), 2.7 layout: type Other (as QEMU's), states safe, security unknown, no contained elements, then the SKU.</summary>
    private static SmbiosStructure Chassis(SmbiosConfig config, SmbiosPlatform platform) =>
        new SmbiosStructure(3, 0x16, Handle(3, 0))
            .String(4, config.ChassisManufacturer ?? DefaultManufacturer)
            .Byte(5, 0x01)
            .String(6, config.ChassisVersion ?? platform.MachineType)
            .String(7, config.ChassisSerial)
            .String(8, config.ChassisAsset)
            .Byte(9, 0x03)
            .Byte(0x0a, 0x03)
            .Byte(0x0b, 0x03)
            .Byte(0x0c, 0x02)
            .Byte(0x13, 0)
            .Byte(0x14, 0)
            .String(0x15, config.ChassisSku);
}
