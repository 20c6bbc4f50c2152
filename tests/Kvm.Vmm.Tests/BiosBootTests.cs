using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Firmware;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Machine;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The fw_cfg files a machine that boots through SeaBIOS offers it (the boot itself runs in FirmwareBootTests, on real KVM).</summary>
public sealed class BiosBootTests
{
    private static readonly AcpiPci s_pci = new(PciLayout.EcamBase, PciLayout.Window32Base, PciLayout.Window32Size, PciLayout.Window64Base(1UL << 30), PciLayout.Window64Size);

    [Test]
    public void Files_MemoryMapAcpiBootOrderAndConsole()
    {
        var files = BiosBoot.Files([(0, 1UL << 30)], [(PciLayout.EcamBase, PciLayout.EcamSize), (VirtualMachine.IdentityMapAddress, VirtualMachine.SystemAreaSize)],
            [0, 1], s_pci, [FirmwareFiles.VirtioDiskPath(5), FirmwareFiles.VirtioDiskPath(2)]).ToDictionary(f => f.Key, f => f.Value);

        Assert.That(files.Keys, Is.EquivalentTo(new[] { "etc/acpi/tables", "etc/acpi/rsdp", "etc/table-loader", "etc/e820", "etc/sercon-port", "etc/boot-fail-wait", "bootorder" }));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(files["etc/boot-fail-wait"]), Is.EqualTo(-1), "never retry, as QEMU tells SeaBIOS by default");
        byte[] e820 = files["etc/e820"];
        Assert.That(e820, Has.Length.EqualTo(3 * 20));
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(e820.AsSpan(40)), Is.EqualTo(0xfeff_c000UL), "KVM's identity-map and TSS pages are reserved");
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(e820.AsSpan(48)), Is.EqualTo(0x4000UL));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(e820.AsSpan(56)), Is.EqualTo(2u));
        Assert.That(Encoding.ASCII.GetString(files["bootorder"]), Is.EqualTo("/pci@i0cf8/scsi@5/disk@0,0\n/pci@i0cf8/scsi@2/disk@0,0\n"));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(files["etc/sercon-port"]), Is.EqualTo(0x3f8));
    }

    [Test]
    public void Files_NoBootOrderAndARetryTime_AsAsked()
    {
        var files = BiosBoot.Files([(0, 1UL << 30)], [], [0], s_pci, [], bootFailWaitMilliseconds: 5000).ToDictionary(f => f.Key, f => f.Value);
        Assert.That(files.ContainsKey("bootorder"), Is.False, "no bootorder: the BIOS's own order");
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(files["etc/boot-fail-wait"]), Is.EqualTo(5000));
        Assert.That(files.ContainsKey("etc/boot-menu-wait"), Is.False, "no menu wait: the firmware's default");
    }

    [Test]
    public void Files_BootMenuWait_IsQemusSplashTimeFile()
    {
        var files = BiosBoot.Files([(0, 1UL << 30)], [], [0], s_pci, [], bootMenuWaitMilliseconds: 3000).ToDictionary(f => f.Key, f => f.Value);
        Assert.That(files["etc/boot-menu-wait"], Is.EqualTo(new byte[] { 0xb8, 0x0b }), "3000 ms, le16");
    }

    [Test]
    public void SystemArea_LiesBelowTheLargestFirmwareFlashAndAboveTheIoApic()
    {
        // Firmware flash takes at most 16 MiB below 4 GiB; the I/O APIC, HPET and local APIC sit at 0xFEC00000-0xFEEFFFFF.
        Assert.That(VirtualMachine.IdentityMapAddress + VirtualMachine.SystemAreaSize, Is.LessThanOrEqualTo((1UL << 32) - (ulong)BiosImage.MaxSize));
        Assert.That(VirtualMachine.IdentityMapAddress, Is.GreaterThanOrEqualTo(0xfef0_0000UL));
        Assert.That(VirtualMachine.TssAddress, Is.EqualTo(VirtualMachine.IdentityMapAddress + 0x1000));
    }
}
