using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Boot.Acpi;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// The ACPI tables as fw_cfg files for firmware, run through a linker/loader that does what SeaBIOS's and OVMF's
/// do with etc/table-loader (place each file, relocate the pointers, compute the checksums): the result is a valid
/// RSDP → XSDT → FADT/MADT/MCFG, FADT → DSDT, every checksum right, and the same DSDT as direct kernel boot gets.
/// </summary>
public sealed class AcpiTableLoaderTests
{
    private static readonly AcpiPci s_pci = new(0xe000_0000, 0xc000_0000, 0x2000_0000, 0x1_4000_0000, 64UL << 30);

    [Test]
    public void FirmwareFiles_RunByTheLoader_GiveValidLinkedTables()
    {
        var files = AcpiTables.FirmwareFiles([0, 1], s_pci).ToDictionary(f => f.Key, f => f.Value);
        Assert.That(files.Keys, Is.EquivalentTo(new[] { "etc/acpi/tables", "etc/acpi/rsdp", "etc/table-loader" }));
        var memory = Load(files, out var placed);

        ulong rsdp = placed["etc/acpi/rsdp"];
        Assert.That(rsdp, Is.InRange(0xf0000UL, 0xfffffUL), "the RSDP in the F segment");
        Assert.That(Encoding.ASCII.GetString(memory, (int)rsdp, 8), Is.EqualTo("RSD PTR "));
        Assert.That(Sum(memory, rsdp, 20), Is.Zero, "RSDP checksum");
        Assert.That(Sum(memory, rsdp, 36), Is.Zero, "RSDP extended checksum");

        ulong xsdt = BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)rsdp + 24));
        Assert.That(Signature(memory, xsdt), Is.EqualTo("XSDT"));
        int count = (int)(Length(memory, xsdt) - 36) / 8;
        var signatures = Enumerable.Range(0, count)
            .Select(i => Signature(memory, BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)xsdt + 36 + (i * 8))))).ToList();
        Assert.That(signatures, Is.EqualTo(new[] { "FACP", "APIC", "MCFG" }));

        ulong fadt = BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)xsdt + 36));
        ulong dsdt = BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)fadt + 140));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(memory.AsSpan((int)fadt + 40)), Is.EqualTo((uint)dsdt), "DSDT and X_DSDT agree");
        Assert.That(Signature(memory, dsdt), Is.EqualTo("DSDT"));
        foreach (ulong table in new[] { xsdt, fadt, dsdt }.Concat(Enumerable.Range(1, count - 1)
            .Select(i => BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)xsdt + 36 + (i * 8))))))
        {
            Assert.That(Sum(memory, table, (int)Length(memory, table)), Is.Zero, $"{Signature(memory, table)} checksum");
        }

        // The DSDT is the one direct kernel boot writes itself.
        using var direct = Kvm.Vmm.Memory.GuestMemory.Allocate([(0, 2 << 20)]);
        AcpiTables.Write(direct, [0, 1], s_pci);
        var directRsdp = direct.GetSpan(AcpiTables.RsdpAddress, 36);
        ulong directXsdt = BinaryPrimitives.ReadUInt64LittleEndian(directRsdp[24..]);
        ulong directFadt = BinaryPrimitives.ReadUInt64LittleEndian(direct.GetSpan(directXsdt + 36, 8));
        ulong directDsdt = BinaryPrimitives.ReadUInt64LittleEndian(direct.GetSpan(directFadt + 140, 8));
        int dsdtLength = (int)Length(memory, dsdt);
        Assert.That(memory.AsSpan((int)dsdt, dsdtLength).ToArray(), Is.EqualTo(direct.GetSpan(directDsdt, dsdtLength).ToArray()));
    }

    [Test]
    public void FirmwareFiles_Q35_RelocateTheFacsAndTheFadtKeepsTheIch9PmBlock()
    {
        var q35Pci = Kvm.Vmm.Machine.PciLayout.Acpi(Kvm.Vmm.Machine.Chipset.Q35, 0x8000_0000);
        var pm = Kvm.Vmm.Machine.PciDevices.AcpiPmOf(Kvm.Vmm.Machine.Chipset.Q35);
        var files = AcpiTables.FirmwareFiles([0, 1], q35Pci, pm).ToDictionary(f => f.Key, f => f.Value);
        var memory = Load(files, out var placed);

        ulong rsdp = placed["etc/acpi/rsdp"];
        ulong xsdt = BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)rsdp + 24));
        ulong fadt = BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)xsdt + 36));
        Assert.That(Signature(memory, fadt), Is.EqualTo("FACP"));
        Assert.That(Sum(memory, fadt, (int)Length(memory, fadt)), Is.Zero, "FADT checksum, after relocation");
        uint facs = BinaryPrimitives.ReadUInt32LittleEndian(memory.AsSpan((int)fadt + 36));
        Assert.That(Signature(memory, facs), Is.EqualTo("FACS"), "FIRMWARE_CTRL relocated to the FACS");
        Assert.That(facs % 64, Is.Zero, "the FACS is 64-byte aligned");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(memory.AsSpan((int)fadt + 76)), Is.EqualTo(0x608u), "PM_TMR_BLK");
        ulong mcfg = BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)xsdt + 36 + 16));
        Assert.That(Signature(memory, mcfg), Is.EqualTo("MCFG"));
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)mcfg + 44)), Is.EqualTo(0xb000_0000UL));
        Assert.That(memory[(int)mcfg + 44 + 11], Is.EqualTo(0xff), "end bus 255");
    }

    [Test]
    public void Commands_AreWholeEntriesAndChecksumBytesStartAtZero()
    {
        var files = AcpiTables.FirmwareFiles([0]).ToDictionary(f => f.Key, f => f.Value);
        byte[] loader = files["etc/table-loader"];
        Assert.That(loader.Length % TableLoader.EntrySize, Is.Zero);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(loader), Is.EqualTo(1u), "ALLOCATE first");
        Assert.That(Encoding.ASCII.GetString(loader, 4, 13), Is.EqualTo("etc/acpi/rsdp"));
        Assert.That(loader[4 + 56 + 4], Is.EqualTo(TableLoader.ZoneFSegment));
        Assert.That(files["etc/acpi/rsdp"][8], Is.Zero);
        Assert.That(files["etc/acpi/rsdp"][32], Is.Zero);
        Assert.That(files["etc/acpi/tables"][9], Is.Zero, "the first table's checksum is left to the loader");
        Assert.Throws<ArgumentException>(() => new TableLoader().Allocate(new string('x', 56), 16, TableLoader.ZoneHigh));
    }

    /// <summary>A linker/loader as the firmwares run it, over a flat 1 MiB "memory": allocations from 0x10000 (high) or 0xf0000 (F segment).</summary>
    private static byte[] Load(Dictionary<string, byte[]> files, out Dictionary<string, ulong> placed)
    {
        var memory = new byte[1 << 20];
        placed = [];
        ulong high = 0x10000, fseg = 0xf0000;
        byte[] script = files["etc/table-loader"];
        for (int at = 0; at < script.Length; at += TableLoader.EntrySize)
        {
            byte[] entry = script.AsSpan(at, TableLoader.EntrySize).ToArray();
            uint command = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            string Name(int offset) => Encoding.ASCII.GetString(entry, offset, 56).TrimEnd('\0');
            switch (command)
            {
                case 1:
                {
                    string file = Name(4);
                    uint align = BinaryPrimitives.ReadUInt32LittleEndian(entry[60..]);
                    ref ulong next = ref entry[64] == TableLoader.ZoneFSegment ? ref fseg : ref high;
                    next = (next + align - 1) / align * align;
                    placed[file] = next;
                    files[file].CopyTo(memory, (int)next);
                    next += (ulong)files[file].Length;
                    break;
                }

                case 2:
                {
                    ulong field = placed[Name(4)] + BinaryPrimitives.ReadUInt32LittleEndian(entry[116..]);
                    Assert.That(entry[120], Is.EqualTo(4).Or.EqualTo(8));
                    if (entry[120] == 8)
                    {
                        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan((int)field)) + placed[Name(60)];
                        BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan((int)field), value);
                    }
                    else
                    {
                        uint value = BinaryPrimitives.ReadUInt32LittleEndian(memory.AsSpan((int)field)) + (uint)placed[Name(60)];
                        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan((int)field), value);
                    }

                    break;
                }

                case 3:
                {
                    ulong file = placed[Name(4)];
                    uint offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[60..]);
                    uint start = BinaryPrimitives.ReadUInt32LittleEndian(entry[64..]);
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(entry[68..]);
                    Assert.That(memory[(int)(file + offset)], Is.Zero, "a checksum byte is 0 before the loader sets it (OVMF needs it)");
                    memory[(int)(file + offset)] = (byte)(0x100 - Sum(memory, file + start, (int)length));
                    break;
                }

                default:
                    Assert.Fail($"unknown loader command {command}");
                    break;
            }
        }

        return memory;
    }

    private static byte Sum(byte[] memory, ulong start, int length) => (byte)memory.AsSpan((int)start, length).ToArray().Sum(b => b);

    private static string Signature(byte[] memory, ulong table) => Encoding.ASCII.GetString(memory, (int)table, 4);

    private static uint Length(byte[] memory, ulong table) => BinaryPrimitives.ReadUInt32LittleEndian(memory.AsSpan((int)table + 4));
}
