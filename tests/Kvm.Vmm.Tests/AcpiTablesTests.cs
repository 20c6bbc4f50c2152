using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

public sealed class AcpiTablesTests
{
    private const ulong Mib = 1024 * 1024;

    [Test]
    public void EisaId_Pnp0501_EncodesAsTheSpecificationSays()
    {
        Assert.That(Aml.EisaId("PNP0501"), Is.EqualTo(new byte[] { 0x0c, 0x41, 0xd0, 0x05, 0x01 }));
    }

    [Test]
    public void Name_S5Package_IsTheAmlForAPackageOfTwoBytes()
    {
        byte[] aml = Aml.Name("_S5_", Aml.Package(Aml.Byte(5), Aml.Byte(5)));
        Assert.That(aml, Is.EqualTo(new byte[] { 0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05 }));
    }

    [Test]
    public void Method_EvtNotifyingThePowerButton_IsTheAmlTheSpecificationGives()
    {
        byte[] aml = Aml.Method("_EVT", 1, Aml.Notify("_SB_", "PWRB", 0x80));

        // MethodOp, PkgLength 19 (counting itself), "_EVT", flags (1 argument); NotifyOp, \ DualNamePrefix _SB_ PWRB, BytePrefix 0x80.
        Assert.That(aml, Is.EqualTo(new byte[]
        {
            0x14, 0x13, 0x5f, 0x45, 0x56, 0x54, 0x01,
            0x86, 0x5c, 0x2e, 0x5f, 0x53, 0x42, 0x5f, 0x50, 0x57, 0x52, 0x42, 0x0a, 0x80,
        }));
    }

    [Test]
    public void ExtendedInterrupt_Gsi16_IsAnEdgeActiveHighConsumer()
    {
        Assert.That(Aml.ExtendedInterrupt(16), Is.EqualTo(new byte[] { 0x89, 0x06, 0x00, 0x03, 0x01, 0x10, 0x00, 0x00, 0x00 }));
    }

    [Test]
    public void String_Hid_IsNulTerminated()
    {
        Assert.That(Aml.String("ACPI0013"), Is.EqualTo(new byte[] { 0x0d, 0x41, 0x43, 0x50, 0x49, 0x30, 0x30, 0x31, 0x33, 0x00 }));
    }

    [Test]
    public void Write_SparseApicIds_MadtListsThemAndTheIoApicIdFollows()
    {
        using var memory = GuestMemory.Allocate([(0, 2 * Mib)]);
        AcpiTables.Write(memory, [0, 1, 4]);
        var rsdp = memory.GetSpan(AcpiTables.RsdpAddress, 36);
        var xsdt = Table(memory, BinaryPrimitives.ReadUInt64LittleEndian(rsdp[24..]), "XSDT");
        var madt = Table(memory, BinaryPrimitives.ReadUInt64LittleEndian(xsdt[(36 + 8)..]), "APIC");

        Assert.That(new[] { madt[44 + 3], madt[52 + 3], madt[60 + 3] }, Is.EqualTo(new byte[] { 0, 1, 4 }), "local APIC ids");
        Assert.That(new[] { madt[44 + 2], madt[52 + 2], madt[60 + 2] }, Is.EqualTo(new byte[] { 0, 1, 2 }), "processor ids");
        Assert.That(madt[68 + 2], Is.EqualTo(5), "I/O APIC id");
    }

    [Test]
    public void Write_EveryTableChecksumsToZeroAndTheRsdpLeadsToThem()
    {
        using var memory = GuestMemory.Allocate([(0, 2 * Mib)]);
        AcpiTables.Write(memory, [0, 1]);

        var rsdp = memory.GetSpan(AcpiTables.RsdpAddress, 36);
        Assert.That(Encoding.ASCII.GetString(rsdp[..8]), Is.EqualTo("RSD PTR "));
        Assert.That(Sum(rsdp[..20]), Is.Zero, "RSDP checksum");
        Assert.That(Sum(rsdp), Is.Zero, "RSDP extended checksum");

        var xsdt = Table(memory, BinaryPrimitives.ReadUInt64LittleEndian(rsdp[24..]), "XSDT");
        var signatures = new List<string>();
        for (int offset = 36; offset < xsdt.Length; offset += 8)
        {
            ulong address = BinaryPrimitives.ReadUInt64LittleEndian(xsdt[offset..]);
            signatures.Add(Encoding.ASCII.GetString(memory.GetSpan(address, 4)));
            var table = Table(memory, address, signatures[^1]);
            if (signatures[^1] == "FACP")
            {
                Assert.That(table.Length, Is.EqualTo(276), "FADT is the ACPI 6 size");
                Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(table[112..]) & (1u << 20), Is.Not.Zero, "HW_REDUCED_ACPI");
                Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(table[(244 + 4)..]), Is.EqualTo(AcpiTables.SleepControlPort));
                var dsdt = Table(memory, BinaryPrimitives.ReadUInt64LittleEndian(table[140..]), "DSDT");
                Assert.That(dsdt.IndexOf("ACPI0013"u8), Is.GreaterThan(0), "the generic event device");
                Assert.That(dsdt.IndexOf(Aml.ExtendedInterrupt(AcpiTables.PowerButtonGsi)), Is.GreaterThan(0), "its interrupt");
            }

            if (signatures[^1] == "APIC")
            {
                Assert.That(table.Length, Is.EqualTo(36 + 8 + 2 * 8 + 12), "two local APICs and an I/O APIC");
            }
        }

        Assert.That(signatures, Is.EqualTo(new[] { "FACP", "APIC" }));
    }

    private static Span<byte> Table(GuestMemory memory, ulong address, string signature)
    {
        var header = memory.GetSpan(address, 36);
        Assert.That(Encoding.ASCII.GetString(header[..4]), Is.EqualTo(signature));
        var table = memory.GetSpan(address, (int)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));
        Assert.That(Sum(table), Is.Zero, signature + " checksum");
        return table;
    }

    private static int Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }

        return sum;
    }
}
