using System.Buffers.Binary;
using System.Diagnostics;
using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// Our tables read back by an independent ACPI implementation: ACPICA's disassembler (iasl, Debian's acpica-tools),
/// which decodes the AML the way the guest kernel's ACPICA interpreter will.
/// </summary>
public sealed class AcpiDisassemblyTests
{
    private const string Iasl = "/usr/bin/iasl";

    [Test]
    public void Dsdt_DisassemblesToTheDevicesAndMethodsWeMeant()
    {
        if (!File.Exists(Iasl))
        {
            Assert.Ignore("needs iasl (Debian's acpica-tools; .ci/run installs it)");
        }

        string directory = Directory.CreateTempSubdirectory("acpi-").FullName;
        try
        {
            string dsl = Disassemble(directory, "DSDT");
            Assert.Multiple(() =>
            {
                Assert.That(dsl, Does.Contain("Name (_S5, Package (0x02)"));
                Assert.That(dsl, Does.Contain("Device (COM1)"));
                Assert.That(dsl, Does.Contain("Name (_HID, EisaId (\"PNP0501\")"));
                Assert.That(dsl, Does.Contain("Device (PWRB)"));
                Assert.That(dsl, Does.Contain("Name (_HID, EisaId (\"PNP0C0C\")"));
                Assert.That(dsl, Does.Contain("Name (_HID, \"ACPI0013\""));
                Assert.That(dsl, Does.Match(@"Interrupt \(ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, \)\s*\{\s*0x00000010,?\s*\}"));
                Assert.That(dsl, Does.Contain("Method (_EVT, 1, NotSerialized)"));
                Assert.That(dsl, Does.Contain(@"Notify (\_SB.PWRB, 0x80)"));
                Assert.That(dsl, Does.Contain("Device (FWCF)"));
                Assert.That(dsl, Does.Contain("Name (_HID, \"QEMU0002\")"));
                Assert.That(dsl, Does.Match(@"IO \(Decode16,\s*0x0510,\s*// Range Minimum\s*0x0510,\s*// Range Maximum\s*0x0[01],\s*// Alignment\s*0x0C,"));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Disassemble(string directory, string signature)
    {
        using var memory = GuestMemory.Allocate([(0, 2 * 1024 * 1024)]);
        AcpiTables.Write(memory, [0, 1]);
        var rsdp = memory.GetSpan(AcpiTables.RsdpAddress, 36);
        var xsdt = memory.GetSpan(BinaryPrimitives.ReadUInt64LittleEndian(rsdp[24..]), 36 + 16);
        var fadt = memory.GetSpan(BinaryPrimitives.ReadUInt64LittleEndian(xsdt[36..]), 276);
        ulong dsdtAddress = BinaryPrimitives.ReadUInt64LittleEndian(fadt[140..]);
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(memory.GetSpan(dsdtAddress + 4, 4));
        string table = Path.Combine(directory, signature.ToLowerInvariant() + ".dat");
        File.WriteAllBytes(table, memory.GetSpan(dsdtAddress, length).ToArray());

        var info = new ProcessStartInfo(Iasl) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add(table);
        using var iasl = Process.Start(info)!;
        string output = iasl.StandardOutput.ReadToEnd() + iasl.StandardError.ReadToEnd();
        iasl.WaitForExit();
        Assert.That(iasl.ExitCode, Is.Zero, output);
        return File.ReadAllText(Path.ChangeExtension(table, ".dsl"));
    }
}
