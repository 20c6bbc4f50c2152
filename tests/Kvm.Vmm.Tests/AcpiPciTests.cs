using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// The ACPI description of PCI (the host bridge in the DSDT, ECAM in MCFG), read back by ACPICA's disassembler (iasl,
/// Debian's acpica-tools) the way the guest kernel's ACPICA will read it.
/// </summary>
public sealed class AcpiPciTests
{
    private const string Iasl = "/usr/bin/iasl";
    private static readonly AcpiPci s_pci = new(0xe000_0000, 0xc000_0000, 0x2000_0000, 0x1_4000_0000, 64UL << 30)
    {
        UpperWindow32Base = 0xe010_0000,
        UpperWindow32Size = 0x1eb0_0000,
    };

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(Iasl))
        {
            Assert.Ignore("needs iasl (Debian's acpica-tools; .ci/run installs it)");
        }

        _directory = Directory.CreateTempSubdirectory("acpi-pci-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public void Dsdt_DescribesTheHostBridgeItsWindowsAndTheEcamReservation()
    {
        string dsl = Disassemble("DSDT");
        Assert.Multiple(() =>
        {
            Assert.That(dsl, Does.Contain("Device (PCI0)"));
            Assert.That(dsl, Does.Contain("Name (_HID, EisaId (\"PNP0A08\")"));
            Assert.That(dsl, Does.Contain("Name (_CID, EisaId (\"PNP0A03\")"));
            Assert.That(dsl, Does.Match(@"WordBusNumber \(ResourceProducer, MinFixed, MaxFixed, PosDecode,\s*0x0000,\s*// Granularity\s*0x0000,\s*// Range Minimum\s*0x0000,"));
            Assert.That(dsl, Does.Match(@"DWordMemory \(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,\s*0x00000000,\s*// Granularity\s*0xC0000000,\s*// Range Minimum\s*0xDFFFFFFF,"));
            Assert.That(dsl, Does.Match(@"DWordMemory \(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,\s*0x00000000,\s*// Granularity\s*0xE0100000,\s*// Range Minimum\s*0xFEBFFFFF,"), "the window above ECAM, where firmware places BARs");
            Assert.That(dsl, Does.Match(@"QWordMemory \(ResourceProducer, PosDecode, MinFixed, MaxFixed, Prefetchable, ReadWrite,\s*0x0000000000000000,\s*// Granularity\s*0x0000000140000000,\s*// Range Minimum\s*0x000000113FFFFFFF,"));
            Assert.That(dsl, Does.Contain("IO (Decode16,"));
            Assert.That(dsl, Does.Contain("Name (_HID, EisaId (\"PNP0C02\")"));
            Assert.That(dsl, Does.Match(@"Memory32Fixed \(ReadWrite,\s*0xE0000000,\s*// Address Base\s*0x00100000,"));
        });
    }

    [Test]
    public void Dsdt_RoutesEachSlotsIntxPinsToTheSwizzledIoApicInputs()
    {
        string dsl = Disassemble("DSDT");
        Assert.That(dsl, Does.Contain("Name (_PRT, Package (0x7C)"), "31 slots, 4 pins each");
        // Slot 2 (the first device's): INTA on GSI 22, INTD on GSI 21; slot 31 INTB on GSI 20.
        Assert.That(dsl, Does.Match(@"Package \(0x04\)\s*\{\s*0x0002FFFF,\s*0x00,\s*0x00,\s*0x16\s*\}"));
        Assert.That(dsl, Does.Match(@"Package \(0x04\)\s*\{\s*0x0002FFFF,\s*0x03,\s*0x00,\s*0x15\s*\}"));
        Assert.That(dsl, Does.Match(@"Package \(0x04\)\s*\{\s*0x001FFFFF,\s*0x01,\s*0x00,\s*0x14\s*\}"));
        Assert.That(Kvm.Vmm.Machine.PciLayout.IntxGsi(2, 0), Is.EqualTo(22u));
    }

    [Test]
    public void Mcfg_NamesOneEcamAllocationForBusZero()
    {
        string dsl = Disassemble("MCFG");
        Assert.That(dsl, Does.Match(@"Base Address : 00000000E0000000"));
        Assert.That(dsl, Does.Match(@"Segment Group Number : 0000"));
        Assert.That(dsl, Does.Match(@"Start Bus Number : 00"));
        Assert.That(dsl, Does.Match(@"End Bus Number : 00"));
    }

    [Test]
    public void Tables_WithoutPci_HaveNoMcfg()
    {
        using var memory = GuestMemory.Allocate([(0, 2 * 1024 * 1024)]);
        AcpiTables.Write(memory, [0]);
        Assert.That(FindTable(memory, "MCFG"), Is.Null);
    }

    private string Disassemble(string signature)
    {
        using var memory = GuestMemory.Allocate([(0, 2 * 1024 * 1024)]);
        AcpiTables.Write(memory, [0, 1], s_pci);
        ulong address = FindTable(memory, signature) ?? throw new AssertionException($"no {signature} table");
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(memory.GetSpan(address + 4, 4));
        string table = Path.Combine(_directory, signature.ToLowerInvariant() + ".dat");
        File.WriteAllBytes(table, memory.GetSpan(address, length).ToArray());

        var info = new ProcessStartInfo(Iasl) { WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add(table);
        using var iasl = Process.Start(info)!;
        string output = iasl.StandardOutput.ReadToEnd() + iasl.StandardError.ReadToEnd();
        iasl.WaitForExit();
        Assert.That(iasl.ExitCode, Is.Zero, output);
        return File.ReadAllText(Path.ChangeExtension(table, ".dsl"));
    }

    /// <summary>A table's address through the RSDP and XSDT (the DSDT through the FADT).</summary>
    private static ulong? FindTable(GuestMemory memory, string signature)
    {
        var rsdp = memory.GetSpan(AcpiTables.RsdpAddress, 36);
        ulong xsdt = BinaryPrimitives.ReadUInt64LittleEndian(rsdp[24..]);
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(memory.GetSpan(xsdt + 4, 4));
        for (int at = 36; at < length; at += 8)
        {
            ulong table = BinaryPrimitives.ReadUInt64LittleEndian(memory.GetSpan(xsdt + (ulong)at, 8));
            string name = Encoding.ASCII.GetString(memory.GetSpan(table, 4));
            if (name == signature)
            {
                return table;
            }

            if (name == "FACP" && signature == "DSDT")
            {
                return BinaryPrimitives.ReadUInt64LittleEndian(memory.GetSpan(table + 140, 8));
            }
        }

        return null;
    }
}
