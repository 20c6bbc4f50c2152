using System.Buffers.Binary;
using Kvm.Vmm.Firmware.Smbios;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Firmware;

/// <summary>Entry points and checksums, firmware's files, and what hostile or huge values do.</summary>
public sealed partial class SmbiosTablesTests
{
    private static byte Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }

        return sum;
    }

    [Test]
    public void EntryPoint64_SumsToZeroAndPointsAtTheTable()
    {
        var tables = SmbiosTables.Build(new SmbiosConfig { OemStrings = ["x"] }, Platform());

        byte[] ep = tables.EntryPoint64(0xf0040);

        Assert.Multiple(() =>
        {
            Assert.That(ep[..5], Is.EqualTo("_SM3_"u8.ToArray()));
            Assert.That(ep[6], Is.EqualTo(0x18), "length, which Linux wants between 24 and 32");
            Assert.That(ep[7..11], Is.EqualTo(new byte[] { 3, 0, 0, 1 }), "SMBIOS 3.0.0, entry point revision 1");
            Assert.That(Sum(ep), Is.Zero, "checksum over the entry point's length");
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(ep.AsSpan(12)), Is.EqualTo(tables.Table.Length));
            Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(ep.AsSpan(16)), Is.EqualTo(0xf0040));
        });
    }

    [Test]
    public void EntryPoint32_BothChecksumsSumToZero()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform());

        byte[] ep = tables.EntryPoint32(0x12345678, 2, 8);

        Assert.Multiple(() =>
        {
            Assert.That(ep, Has.Length.EqualTo(31));
            Assert.That(ep[..4], Is.EqualTo("_SM_"u8.ToArray()));
            Assert.That(ep[0x10..0x15], Is.EqualTo("_DMI_"u8.ToArray()));
            Assert.That(Sum(ep), Is.Zero, "the entry point's checksum");
            Assert.That(Sum(ep.AsSpan(0x10)), Is.Zero, "the intermediate checksum");
            Assert.That(ep[5..8], Is.EqualTo(new byte[] { 31, 2, 8 }));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(ep.AsSpan(8)), Is.EqualTo(Walk(tables.Table).Max(s => s.Length)));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(ep.AsSpan(0x16)), Is.EqualTo(tables.Table.Length));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(ep.AsSpan(0x18)), Is.EqualTo(0x12345678));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(ep.AsSpan(0x1c)), Is.EqualTo(Walk(tables.Table).Count));
            Assert.That(ep[0x1e], Is.EqualTo(0x28), "BCD revision 2.8");
        });
    }

    [Test]
    public void FwCfgFiles_Bios_A21AnchorAsSeaBiosAndOvmfCheckIt()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform(firmware: true));

        var files = tables.FwCfgFiles(entryPoint64: false).ToDictionary(f => f.Key, f => f.Value);

        byte[] anchor = files["etc/smbios/smbios-anchor"];
        Assert.Multiple(() =>
        {
            // SeaBIOS: the anchor's size and signature, its table length equal to the table file's size. OVMF's
            // DetectSmbiosVersion: a 31-byte anchor with major version 2, "_SM_", "_DMI_" and that same length.
            Assert.That(anchor, Has.Length.EqualTo(31));
            Assert.That(anchor[..4], Is.EqualTo("_SM_"u8.ToArray()));
            Assert.That(anchor[0x10..0x15], Is.EqualTo("_DMI_"u8.ToArray()));
            Assert.That(anchor[6], Is.EqualTo(2));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(anchor.AsSpan(0x16)), Is.EqualTo(files["etc/smbios/smbios-tables"].Length));
            Assert.That(files["etc/smbios/smbios-tables"], Is.EqualTo(tables.Table));
        });
    }

    [Test]
    public void FwCfgFiles_Uefi_A30AnchorAsOvmfChecksIt()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform(firmware: true));

        var files = tables.FwCfgFiles(entryPoint64: true).ToDictionary(f => f.Key, f => f.Value);

        byte[] anchor = files["etc/smbios/smbios-anchor"];
        Assert.Multiple(() =>
        {
            // OVMF: a 24-byte anchor, "_SM3_", major version 3, table maximum size equal to the table file's size.
            Assert.That(anchor, Has.Length.EqualTo(24));
            Assert.That(anchor[..5], Is.EqualTo("_SM3_"u8.ToArray()));
            Assert.That(anchor[7], Is.EqualTo(3));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(anchor.AsSpan(12)), Is.EqualTo(files["etc/smbios/smbios-tables"].Length));
            Assert.That(Sum(anchor), Is.Zero);
        });
    }

    [Test]
    public void Build_FirmwareWithoutBiosValues_LeavesType0ToTheFirmware()
    {
        var tables = SmbiosTables.Build(SmbiosConfig.Empty, Platform(firmware: true));

        Assert.That(Walk(tables.Table).Select(s => s[0]), Has.No.Member((byte)0));
    }

    [Test]
    public void Build_FirmwareWithABiosVendor_Type0HasOnlyTheUsersValues()
    {
        var tables = SmbiosTables.Build(new SmbiosConfig { BiosVendor = "Acme" }, Platform(firmware: true));

        Assert.That(Structure(tables, 0), Is.EqualTo(Bytes("00 18 0000 01 00 00f0 00 00 0800000000000000 00 14 ff ff ff ff", "Acme")));
    }

    [Test]
    public void WriteToFSegment_Linux16ByteScanFindsTheEntryPointAndTheTable()
    {
        var tables = SmbiosTables.Build(new SmbiosConfig { SystemSerial = "ds=nocloud" }, Platform());
        using var memory = GuestMemory.Allocate([(0, 1UL << 20)]);

        tables.WriteToFSegment(memory);

        byte[] segment = memory.GetSpan(0xf0000, 0x10000).ToArray();
        int found = Enumerable.Range(0, 0x1000).Select(i => i * 16).First(o => segment.AsSpan(o, 5).SequenceEqual("_SM3_"u8));
        byte[] ep = segment[found..(found + 24)];
        ulong table = BinaryPrimitives.ReadUInt64LittleEndian(ep.AsSpan(16));
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(ep.AsSpan(12));
        Assert.Multiple(() =>
        {
            Assert.That(Sum(ep), Is.Zero);
            Assert.That(table, Is.InRange(0xf0000UL, 0xfffffUL - (ulong)length));
            Assert.That(segment[(int)(table - 0xf0000)..((int)(table - 0xf0000) + length)], Is.EqualTo(tables.Table));
            Assert.That(Sum(segment.AsSpan(0x20, 31)), Is.Zero, "the 32-bit entry point beside it");
        });
    }

    [Test]
    public void Build_StringWithNul_IsRefused() =>
        Assert.That(() => SmbiosTables.Build(new SmbiosConfig { SystemSerial = "a\0b" }, Platform()),
            Throws.ArgumentException.With.Message.Contains("NUL"));

    [Test]
    public void Build_StringAtTheLimit_IsKeptOneByteMoreIsRefused()
    {
        string longest = new string('x', SmbiosTables.MaxStringBytes - 2) + "é";

        var tables = SmbiosTables.Build(new SmbiosConfig { SystemProduct = longest }, Platform());

        Assert.That(Structure(tables, 1).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(longest)), Is.GreaterThan(0), "UTF-8, whole");
        Assert.That(() => SmbiosTables.Build(new SmbiosConfig { SystemProduct = longest + "x" }, Platform()),
            Throws.ArgumentException.With.Message.Contains($"at most {SmbiosTables.MaxStringBytes}"));
    }

    [Test]
    public void Build_EmptyStrings_AreNoString()
    {
        var tables = SmbiosTables.Build(new SmbiosConfig { SystemSerial = string.Empty }, Platform());

        Assert.That(Structure(tables, 1)[7], Is.Zero);
    }

    [Test]
    public void Build_TooManyOemStrings_IsRefused() =>
        Assert.That(() => SmbiosTables.Build(new SmbiosConfig { OemStrings = [.. Enumerable.Repeat("x", 256)] }, Platform()),
            Throws.ArgumentException.With.Message.Contains("at most 255"));

    [Test]
    public void Build_TableLargerThanTheLimit_IsRefused()
    {
        string big = new('o', SmbiosTables.MaxStringBytes);

        Assert.That(() => SmbiosTables.Build(new SmbiosConfig { OemStrings = [.. Enumerable.Repeat(big, 16)] }, Platform()),
            Throws.ArgumentException.With.Message.Contains($"at most {SmbiosTables.MaxTableBytes}"));
    }

    [Test]
    public void Build_ManySocketsAndHugeMemory_HandlesAreUniqueAndReferencesHold()
    {
        var tables = SmbiosTables.Build(new SmbiosConfig { OemStrings = ["a"] },
            Platform(sockets: 254, vcpus: 254, ram: [(0, 0xc000_0000UL), (0x1_0000_0000UL, 6UL << 40)]));

        var structures = Walk(tables.Table);
        var handles = structures.Select(s => BinaryPrimitives.ReadUInt16LittleEndian(s.AsSpan(2))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(handles, Is.Unique);
            Assert.That(structures.Count(s => s[0] == 4), Is.EqualTo(254));
            ushort array = handles[structures.FindIndex(s => s[0] == 16)];
            Assert.That(structures.Where(s => s[0] is 17 or 19).Select(s => BinaryPrimitives.ReadUInt16LittleEndian(s.AsSpan(s[0] == 17 ? 4 : 0x0c))),
                Is.All.EqualTo(array), "devices and ranges name the array");
            Assert.That(tables.Table, Has.Length.LessThanOrEqualTo(SmbiosTables.MaxTableBytes));
        });
    }
}
