using System.Buffers.Binary;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Firmware.Smbios;

/// <summary>
/// A machine's SMBIOS structure table (DMTF DSP0134 3.0) and its entry points: types 0 (BIOS), 1 (system, with the
/// domain's UUID), 2 (baseboard), 3 (chassis), 4 (one processor per socket), 11 (OEM strings, when given), 16, 17 and
/// 19 (the memory array, its devices of at most 16 GiB and the mapped ranges), 32 (boot status) and 127 (end). The
/// identity defaults are kvm-vmm's own ("kvm-vmm" as manufacturer and vendor, as its QMP greeting names it); a
/// <see cref="SmbiosConfig"/> overrides them field by field.
/// <para>
/// Without firmware the tables go where Linux's dmi_scan looks for them (<see cref="WriteToFSegment"/>): the 64-bit
/// <c>_SM3_</c> entry point and a 32-bit <c>_SM_</c> one for older readers at 16-byte boundaries of the F segment, the
/// table after them, all outside the E820 RAM. With firmware the machine offers QEMU's two fw_cfg files
/// (<see cref="FwCfgFiles"/>), which SeaBIOS (smbios_romfile_setup) and OVMF (SmbiosPlatformDxe) read: they copy the
/// table into their own memory and write the entry points themselves.
/// </para>
/// </summary>
public sealed partial class SmbiosTables
{
    /// <summary>The longest string, in UTF-8 bytes (the spec sets none; OEM strings carry data such as credentials).</summary>
    public const int MaxStringBytes = 4096;

    /// <summary>Type 11 counts its strings in a byte.</summary>
    public const int MaxOemStrings = 255;

    /// <summary>The largest table: a 2.1 entry point's 16-bit length, and what fits in the F segment after the entry points.</summary>
    public const int MaxTableBytes = 0xff00;

    /// <summary>Where Linux scans for entry points without EFI (SMBIOS 3.0, 5.2: 0xF0000-0xFFFFF, 16-byte aligned).</summary>
    public const ulong FSegment = 0xf0000;

    /// <summary>The 64-bit entry point (<c>_SM3_</c>), the 32-bit one and the table when <see cref="WriteToFSegment"/> places them.</summary>
    public const ulong EntryPoint64Address = FSegment;
    public const ulong EntryPoint32Address = FSegment + 0x20;
    public const ulong TableAddress = FSegment + 0x40;

    /// <summary>QEMU's fw_cfg files (docs/specs/fw_cfg; SeaBIOS's smbios_romfile_setup, OVMF's SmbiosPlatformDxe).</summary>
    public const string AnchorFile = "etc/smbios/smbios-anchor";
    public const string TablesFile = "etc/smbios/smbios-tables";

    public const int EntryPoint64Size = 0x18;
    public const int EntryPoint32Size = 0x1f;

    private SmbiosTables(byte[] table, int structures, int maxStructure)
    {
        Table = table;
        StructureCount = structures;
        MaxStructureSize = maxStructure;
    }

    /// <summary>The structure table, end-of-table structure included.</summary>
    public byte[] Table { get; }

    public int StructureCount { get; }

    /// <summary>The largest structure's size, string-set included (the 2.1 entry point's maximum structure size).</summary>
    public int MaxStructureSize { get; }

    /// <summary>The tables for <paramref name="platform"/> with <paramref name="config"/>'s values.</summary>
    /// <exception cref="ArgumentException">A string holds a NUL or is too long; too many OEM strings; the table exceeds <see cref="MaxTableBytes"/>.</exception>
    public static SmbiosTables Build(SmbiosConfig config, SmbiosPlatform platform)
    {
        if (config.OemStrings.Count > MaxOemStrings)
        {
            throw new ArgumentException($"{config.OemStrings.Count} SMBIOS OEM strings: at most {MaxOemStrings} are allowed", nameof(config));
        }

        if (config.OemStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("an SMBIOS OEM string is empty", nameof(config));
        }

        var structures = Structures(config, platform).Select(s => s.ToArray()).ToList();
        int size = structures.Sum(s => s.Length);
        if (size > MaxTableBytes)
        {
            throw new ArgumentException($"the SMBIOS table would take {size} bytes: at most {MaxTableBytes} are allowed (shorten the strings)", nameof(config));
        }

        var table = new byte[size];
        int at = 0;
        foreach (byte[] structure in structures)
        {
            structure.CopyTo(table, at);
            at += structure.Length;
        }

        return new SmbiosTables(table, structures.Count, structures.Max(s => s.Length));
    }

    /// <summary>
    /// The SMBIOS 3.0 entry point (SMBIOS 3.0, 5.2.2): "_SM3_", checksum, length 0x18, version 3.0.0, entry point
    /// revision 1, the table's maximum size and its 64-bit address.
    /// </summary>
    public byte[] EntryPoint64(ulong tableAddress)
    {
        var ep = new byte[EntryPoint64Size];
        "_SM3_"u8.CopyTo(ep);
        ep[6] = EntryPoint64Size;
        ep[7] = 3;  // major
        ep[8] = 0;  // minor
        ep[9] = 0;  // docrev
        ep[10] = 1; // entry point revision: 3.0
        BinaryPrimitives.WriteUInt32LittleEndian(ep.AsSpan(12), (uint)Table.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(ep.AsSpan(16), tableAddress);
        ep[5] = Checksum(ep);
        return ep;
    }

    /// <summary>
    /// The 2.1 (32-bit) entry point (SMBIOS 3.0, 5.2.1): "_SM_", checksum, length 0x1F, the version, the largest
    /// structure, "_DMI_" with its own checksum over the last 15 bytes, the table's length, address and structure
    /// count, and the BCD revision.
    /// </summary>
    public byte[] EntryPoint32(uint tableAddress, byte major, byte minor)
    {
        var ep = new byte[EntryPoint32Size];
        "_SM_"u8.CopyTo(ep);
        ep[5] = EntryPoint32Size;
        ep[6] = major;
        ep[7] = minor;
        BinaryPrimitives.WriteUInt16LittleEndian(ep.AsSpan(8), (ushort)MaxStructureSize);
        "_DMI_"u8.CopyTo(ep.AsSpan(0x10));
        BinaryPrimitives.WriteUInt16LittleEndian(ep.AsSpan(0x16), (ushort)Table.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ep.AsSpan(0x18), tableAddress);
        BinaryPrimitives.WriteUInt16LittleEndian(ep.AsSpan(0x1c), (ushort)StructureCount);
        ep[0x1e] = (byte)((major << 4) | Math.Min(minor, (byte)9));
        ep[0x15] = Checksum(ep.AsSpan(0x10));
        ep[4] = Checksum(ep);
        return ep;
    }

    /// <summary>
    /// Places both entry points and the table in the F segment of <paramref name="memory"/> for a guest without
    /// firmware (<see cref="EntryPoint64Address"/>, <see cref="EntryPoint32Address"/>, <see cref="TableAddress"/>).
    /// </summary>
    public void WriteToFSegment(GuestMemory memory)
    {
        memory.Write(TableAddress, Table);
        memory.Write(EntryPoint64Address, EntryPoint64(TableAddress));
        memory.Write(EntryPoint32Address, EntryPoint32((uint)TableAddress, 3, 0));
    }

    /// <summary>
    /// The fw_cfg files for firmware: <see cref="AnchorFile"/> and <see cref="TablesFile"/>, the table. The anchor is a
    /// 2.1 entry point (version 2.8, as QEMU's 32-bit anchor says; every SeaBIOS reads it) unless
    /// <paramref name="entryPoint64"/> asks for the 3.0 one (SeaBIOS reads that only from 1.16 on), which UEFI gets:
    /// OVMF takes both and sets its SMBIOS version from the anchor, so with 3.0 it publishes the same 3.0 tables a
    /// direct boot shows. Either anchor gives the table's size as its length, which both firmwares check against the
    /// table file.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> FwCfgFiles(bool entryPoint64) =>
    [
        new(AnchorFile, entryPoint64 ? EntryPoint64(0) : EntryPoint32(0, 2, 8)),
        new(TablesFile, Table),
    ];

    /// <summary>The byte that makes <paramref name="bytes"/> sum to zero (its own slot counted as zero).</summary>
    internal static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }

        return (byte)-sum;
    }
}
