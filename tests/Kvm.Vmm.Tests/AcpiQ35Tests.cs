using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// The ACPI tables of a q35 machine, as kvm-vmm writes them for a direct kernel boot (and offers them to firmware): a
/// full ACPI FADT on the ICH9's PM block (PM1 at 0x600, the PM timer at 0x608, GPE0 at 0x620, SCI on IRQ 9, reset
/// through 0xCF9) with a FACS, the SCI's interrupt source override in the MADT, MCFG for 256 buses at 0xB0000000 and
/// _S5 with the ICH9's soft-off sleep type; read back byte by byte and by ACPICA's disassembler (iasl).
/// </summary>
public sealed class AcpiQ35Tests
{
    private const string Iasl = "/usr/bin/iasl";
    private static readonly AcpiPci s_pci = PciLayout.Acpi(Chipset.Q35, 0x8000_0000);
    private static readonly AcpiPm s_pm = PciDevices.AcpiPmOf(Chipset.Q35)!;

    [Test]
    public void Fadt_PointsAtTheIch9PmBlock_AndTheResetRegister()
    {
        using var memory = Tables();
        byte[] fadt = memory.GetSpan(Find(memory, "FACP")!.Value, 276).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(Sum(fadt), Is.Zero, "checksum");
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(fadt.AsSpan(46)), Is.EqualTo(9), "SCI_INT");
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(48)), Is.Zero, "SMI_CMD: in ACPI mode from the start");
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(56)), Is.EqualTo(0x600u), "PM1a_EVT_BLK");
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(64)), Is.EqualTo(0x604u), "PM1a_CNT_BLK");
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(76)), Is.EqualTo(0x608u), "PM_TMR_BLK");
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(80)), Is.EqualTo(0x620u), "GPE0_BLK");
            Assert.That(fadt[88..93], Is.EqualTo(new byte[] { 4, 2, 0, 4, 16 }), "PM1_EVT, PM1_CNT, PM2_CNT, PM_TMR, GPE0 lengths");
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(112));
            Assert.That(flags & (1u << 20), Is.Zero, "not hardware-reduced");
            Assert.That(flags & (1u << 10), Is.Not.Zero, "RESET_REG_SUP");
            Assert.That(fadt[116..120], Is.EqualTo(new byte[] { 1, 8, 0, 1 }), "RESET_REG: system I/O, 8 bits");
            Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(fadt.AsSpan(120)), Is.EqualTo(0xcf9UL), "RESET_REG address");
            Assert.That(fadt[128], Is.EqualTo(0x06), "RESET_VALUE: SYS_RST | RST_CPU");
            Assert.That(fadt[244..268], Is.All.Zero, "no hardware-reduced sleep registers");
        });

        uint facs = BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(36));
        Assert.That(facs % 64, Is.Zero, "the FACS is 64-byte aligned");
        Assert.That(Encoding.ASCII.GetString(memory.GetSpan(facs, 4)), Is.EqualTo("FACS"));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(memory.GetSpan(facs + 4, 4)), Is.EqualTo(64u));
    }

    [Test]
    public void Madt_OverridesTheSciAsLevelTriggeredActiveHigh()
    {
        using var memory = Tables();
        ulong madt = Find(memory, "APIC")!.Value;
        var table = memory.GetSpan(madt, (int)BinaryPrimitives.ReadUInt32LittleEndian(memory.GetSpan(madt + 4, 4)));
        Assert.That(Sum(table), Is.Zero);
        // After the header, the local APIC address and flags: entries of (type, length, ...).
        var overrides = new List<byte[]>();
        for (int at = 44; at < table.Length; at += table[at + 1])
        {
            if (table[at] == 2)
            {
                overrides.Add(table.Slice(at, 10).ToArray());
            }
        }

        Assert.That(overrides, Has.Count.EqualTo(1));
        Assert.That(overrides[0], Is.EqualTo(new byte[] { 2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0x00 }));
    }

    [Test]
    public void I440fxTables_StayHardwareReduced()
    {
        using var memory = GuestMemory.Allocate([(0, 2 * 1024 * 1024)]);
        AcpiTables.Write(memory, [0, 1], PciLayout.Acpi(Chipset.I440fx, 0x8000_0000), PciDevices.AcpiPmOf(Chipset.I440fx));
        byte[] fadt = memory.GetSpan(Find(memory, "FACP")!.Value, 276).ToArray();
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(112)) & (1u << 20), Is.Not.Zero, "HW_REDUCED_ACPI");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(36)), Is.Zero, "no FACS");
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(fadt.AsSpan(248)), Is.EqualTo((ulong)AcpiTables.SleepControlPort), "SLEEP_CONTROL_REG");
    }

    [Test]
    public void Disassembled_FadtMcfgAndDsdt_SayTheSame()
    {
        if (!File.Exists(Iasl))
        {
            Assert.Ignore("needs iasl (Debian's acpica-tools; .ci/run installs it)");
        }

        string directory = Directory.CreateTempSubdirectory("acpi-q35-").FullName;
        try
        {
            using var memory = Tables();
            string fadt = Disassemble(memory, directory, "FACP");
            string mcfg = Disassemble(memory, directory, "MCFG");
            string dsdt = Disassemble(memory, directory, "DSDT");
            Assert.Multiple(() =>
            {
                Assert.That(fadt, Does.Match(@"SCI Interrupt : 0009"));
                Assert.That(fadt, Does.Match(@"PM1A Event Block Address : 00000600"));
                Assert.That(fadt, Does.Match(@"PM1A Control Block Address : 00000604"));
                Assert.That(fadt, Does.Match(@"PM Timer Block Address : 00000608"));
                Assert.That(fadt, Does.Match(@"GPE0 Block Address : 00000620"));
                Assert.That(fadt, Does.Match(@"Hardware Reduced \(V5\) : 0"));
                Assert.That(fadt, Does.Match(@"Reset Register Supported \(V2\) : 1"));
                Assert.That(mcfg, Does.Match(@"Base Address : 00000000B0000000"));
                Assert.That(mcfg, Does.Match(@"Start Bus Number : 00"));
                Assert.That(mcfg, Does.Match(@"End Bus Number : FF"));
                Assert.That(dsdt, Does.Match(@"Name \(_S5, Package \(0x02\)[^{]*\{\s*0x07,\s*0x07\s*\}"), "_S5: the ICH9's SLP_TYP 111");
                Assert.That(dsdt, Does.Match(@"Memory32Fixed \(ReadWrite,\s*0xB0000000,\s*// Address Base\s*0x10000000,"), "ECAM reserved for Linux");
                Assert.That(dsdt, Does.Match(@"DWordMemory \(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,\s*0x00000000,\s*// Granularity\s*0xC0000000,\s*// Range Minimum\s*0xFEBFFFFF,"), "one 32-bit window above ECAM");
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static GuestMemory Tables()
    {
        var memory = GuestMemory.Allocate([(0, 2 * 1024 * 1024)]);
        AcpiTables.Write(memory, [0, 1], s_pci, s_pm);
        return memory;
    }

    private static string Disassemble(GuestMemory memory, string directory, string signature)
    {
        ulong address = Find(memory, signature) ?? throw new AssertionException($"no {signature} table");
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(memory.GetSpan(address + 4, 4));
        string table = Path.Combine(directory, signature.ToLowerInvariant() + ".dat");
        File.WriteAllBytes(table, memory.GetSpan(address, length).ToArray());
        var info = new ProcessStartInfo(Iasl) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add(table);
        using var iasl = Process.Start(info)!;
        string output = iasl.StandardOutput.ReadToEnd() + iasl.StandardError.ReadToEnd();
        iasl.WaitForExit();
        Assert.That(iasl.ExitCode, Is.Zero, output);
        return File.ReadAllText(Path.ChangeExtension(table, ".dsl"));
    }

    /// <summary>A table's address through the RSDP and XSDT (the DSDT through the FADT).</summary>
    private static ulong? Find(GuestMemory memory, string signature)
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

    private static byte Sum(ReadOnlySpan<byte> data)
    {
        byte sum = 0;
        foreach (byte b in data)
        {
            sum += b;
        }

        return sum;
    }
}
