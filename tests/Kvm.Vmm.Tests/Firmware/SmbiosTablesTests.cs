using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Firmware.Smbios;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Firmware;

/// <summary>
/// The SMBIOS tables byte for byte (DSP0134 3.0 section 7), walked as Linux's dmi_scan walks them: formatted area,
/// string-set, double NUL; and the entry points' checksums as Linux, SeaBIOS and OVMF check them.
/// </summary>
public sealed partial class SmbiosTablesTests
{
    private static readonly Guid s_uuid = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");

    internal static SmbiosPlatform Platform(bool firmware = false, int sockets = 1, int cores = 1, int threads = 1, int vcpus = 1,
        IReadOnlyList<(ulong, ulong)>? ram = null) =>
        new(s_uuid, "kvm-vmm PC (i440FX + PIIX)", "pc-i440fx-7.2", sockets, cores, threads, vcpus, 0x0789abcd_000806f1UL,
            ram ?? [(0, 512UL << 20)], firmware);

    /// <summary>The table's structures, each with its string-set, as dmi_scan walks them.</summary>
    internal static List<byte[]> Walk(byte[] table)
    {
        var structures = new List<byte[]>();
        int at = 0;
        while (at < table.Length)
        {
            int end = at + table[at + 1];
            while (table[end] != 0 || table[end + 1] != 0)
            {
                end++;
            }

            structures.Add(table[at..(end + 2)]);
            at = end + 2;
        }

        return structures;
    }

    private static byte[] Structure(SmbiosTables tables, byte type, int instance = 0) =>
        Walk(tables.Table).Where(s => s[0] == type).ElementAt(instance);

    private static byte[] Bytes(string hex, params string[] strings)
    {
        var bytes = new List<byte>(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));
        foreach (string s in strings)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(s));
            bytes.Add(0);
        }

        bytes.Add(0);
        if (strings.Length == 0)
        {
            bytes.Add(0);
        }

        return [.. bytes];
    }

    [Test]
    public void Build_DirectBootDefaults_BiosIsKvmVmmsOwn()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform());

        Assert.That(Structure(tables, 0), Is.EqualTo(Bytes(
            "00 18 0000 01 02 00f0 03 00 0800000000000000 00 14 01 00 ff ff",
            "kvm-vmm", "1.0", "12/01/2026")));
    }

    [Test]
    public void Build_SystemFromConfig_UuidInSmbiosOrder()
    {
        var config = new SmbiosConfig
        {
            SystemManufacturer = "Acme", SystemProduct = "Widget", SystemVersion = "v1", SystemSerial = "ds=nocloud",
            SystemSku = "SKU1", SystemFamily = "Fam",
        };

        var tables = SmbiosTables.Build(config, Platform());

        Assert.That(Structure(tables, 1), Is.EqualTo(Bytes(
            "01 1b 0002 01 02 03 04 67452301ab89efcd0123456789abcdef 06 05 06",
            "Acme", "Widget", "v1", "ds=nocloud", "SKU1", "Fam")));
    }

    [Test]
    public void Build_Defaults_SystemBoardAndChassisNameTheMachine()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform());

        Assert.Multiple(() =>
        {
            Assert.That(Structure(tables, 1), Is.EqualTo(Bytes(
                "01 1b 0002 01 02 03 00 67452301ab89efcd0123456789abcdef 06 00 04",
                "kvm-vmm", "kvm-vmm PC (i440FX + PIIX)", "pc-i440fx-7.2", "Virtual Machine")));
            Assert.That(Structure(tables, 2), Is.EqualTo(Bytes(
                "02 0f 0004 01 02 03 00 00 01 00 0006 0a 00",
                "kvm-vmm", "kvm-vmm PC (i440FX + PIIX)", "pc-i440fx-7.2")), "a motherboard in chassis 0x0600");
            Assert.That(Structure(tables, 3), Is.EqualTo(Bytes(
                "03 16 0006 01 01 02 00 00 03 03 03 02 00000000 00 00 00 00 00",
                "kvm-vmm", "pc-i440fx-7.2")));
        });
    }

    [Test]
    public void Build_BoardAndChassisFromConfig_AreByteExact()
    {
        var config = new SmbiosConfig
        {
            BaseBoards = [new SmbiosBaseBoard { Manufacturer = "M", Product = "P", Version = "V", Serial = "S", Asset = "A", Location = "L" }],
            ChassisManufacturer = "CM", ChassisVersion = "CV", ChassisSerial = "CS", ChassisAsset = "CA", ChassisSku = "CK",
        };

        var tables = SmbiosTables.Build(config, Platform());

        Assert.Multiple(() =>
        {
            Assert.That(Structure(tables, 2), Is.EqualTo(Bytes("02 0f 0004 01 02 03 04 05 01 06 0006 0a 00", "M", "P", "V", "S", "A", "L")));
            Assert.That(Structure(tables, 3), Is.EqualTo(Bytes(
                "03 16 0006 01 01 02 03 04 03 03 03 02 00000000 00 00 00 00 05", "CM", "CV", "CS", "CA", "CK")));
        });
    }

    [Test]
    public void Build_OemStrings_CountAndStringsInOrder()
    {
        var tables = SmbiosTables.Build(new SmbiosConfig { OemStrings = ["a", "bc"] }, Platform());

        Assert.That(Structure(tables, 11), Is.EqualTo(Bytes("0b 05 0016 02", "a", "bc")));
    }

    [Test]
    public void Build_NoOemStrings_NoType11()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform());

        Assert.That(Walk(tables.Table).Select(s => s[0]), Is.EqualTo(new byte[] { 0, 1, 2, 3, 4, 16, 17, 19, 32, 127 }));
    }

    [Test]
    public void Build_BootInfoAndEnd_AreByteExact()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform());

        Assert.Multiple(() =>
        {
            Assert.That(Structure(tables, 32), Is.EqualTo(Bytes("20 0b 0040 000000000000 00")));
            Assert.That(Structure(tables, 127), Is.EqualTo(Bytes("7f 04 00fe")));
            Assert.That(Walk(tables.Table)[^1][0], Is.EqualTo(127), "end-of-table last");
        });
    }

    [Test]
    public void Build_Processor_OnePerSocketWithTheTopology()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform(sockets: 3, cores: 2, threads: 2, vcpus: 5));

        Assert.Multiple(() =>
        {
            Assert.That(Structure(tables, 4, 0), Is.EqualTo(Bytes(
                "04 30 0008 01 03 01 02 f1060800cdab8907 03 00 0000 d007 d007 41 01 ffff ffff ffff 00 00 00 02 02 04 1c00 0100 0200 0200 0400",
                "CPU 0", "kvm-vmm", "pc-i440fx-7.2")));
            Assert.That(Structure(tables, 4, 1)[0x18], Is.EqualTo(0x41), "socket 1 holds vCPU 4");
            Assert.That(Structure(tables, 4, 1)[0x24], Is.EqualTo(1), "one of its cores enabled");
            Assert.That(Structure(tables, 4, 2)[0x18], Is.EqualTo(0), "socket 2 is unpopulated");
            Assert.That(Structure(tables, 4, 2)[0x24], Is.EqualTo(0));
        });
    }

    [Test]
    public void Build_Memory_ArrayDevicesOf16GiBAndMappedRanges()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform(ram: [(0, 0xc000_0000UL), (0x1_0000_0000UL, 0x9_4000_0000UL)]));

        Assert.Multiple(() =>
        {
            // 40 GiB: capacity 0x02800000 KiB, three devices.
            Assert.That(Structure(tables, 16), Is.EqualTo(Bytes("10 17 0020 01 03 06 00008002 feff 0300 0000000000000000")));
            Assert.That(Structure(tables, 17, 0), Is.EqualTo(Bytes(
                "11 28 0022 0020 feff 4000 4000 0040 09 00 01 00 07 0200 0000 02 00 00 00 00 00000000 0000 0000 0000 0000",
                "DIMM 0", "kvm-vmm")));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(Structure(tables, 17, 2).AsSpan(0x0c)), Is.EqualTo(8192), "the last device holds the rest");
            Assert.That(Structure(tables, 19, 0), Is.EqualTo(Bytes("13 1f 0026 00000000 ffff2f00 0020 01 0000000000000000 0000000000000000")));
            Assert.That(Structure(tables, 19, 1), Is.EqualTo(Bytes("13 1f 0126 00004000 ffff8f02 0020 01 0000000000000000 0000000000000000")));
        });
    }

    [Test]
    public void Build_RangeBeyond4TiB_UsesTheExtendedAddresses()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform(ram: [(0x400_0000_0000UL, 1UL << 30)]));

        Assert.That(Structure(tables, 19), Is.EqualTo(Bytes("13 1f 0026 ffffffff ffffffff 0020 01 0000000000040000 ffffff3f00040000")));
    }
}
