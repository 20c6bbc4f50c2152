using Kvm.Vmm.Firmware;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The fw_cfg files for firmware, byte for byte as QEMU's fw_cfg documentation and SeaBIOS read them.</summary>
public sealed class FirmwareFilesTests
{
    [Test]
    public void E820_RamThenReserved_PackedTwentyBytesEach()
    {
        byte[] data = FirmwareFiles.E820([(0, 0x8000_0000), (0x1_0000_0000, 0x4000_0000)], [(0xb000_0000, 0x10_0000)]);
        Assert.That(Convert.ToHexString(data), Is.EqualTo(
            "0000000000000000" + "0000008000000000" + "01000000"
            + "0000000001000000" + "0000004000000000" + "01000000"
            + "000000B000000000" + "0000100000000000" + "02000000"));
    }

    [TestCase(5, 0, "/pci@i0cf8/scsi@5/disk@0,0")]
    [TestCase(0x1f, 0, "/pci@i0cf8/scsi@1f/disk@0,0")]
    [TestCase(3, 2, "/pci@i0cf8/scsi@3,2/disk@0,0")]
    public void VirtioDiskPath_IsQemusBootIndexPath(int slot, int function, string expected) =>
        Assert.That(FirmwareFiles.VirtioDiskPath(slot, function), Is.EqualTo(expected));

    [Test]
    public void BootOrder_OnePathPerLine()
    {
        byte[] data = FirmwareFiles.BootOrder([FirmwareFiles.VirtioDiskPath(6), FirmwareFiles.VirtioDiskPath(5)]);
        Assert.That(System.Text.Encoding.ASCII.GetString(data), Is.EqualTo("/pci@i0cf8/scsi@6/disk@0,0\n/pci@i0cf8/scsi@5/disk@0,0\n"));
    }

    [Test]
    public void BootFailWaitAndSerialConsole_AreLittleEndianIntegers()
    {
        Assert.That(FirmwareFiles.BootFailWait(5000), Is.EqualTo(new byte[] { 0x88, 0x13, 0, 0 }));
        Assert.That(FirmwareFiles.BootFailWait(-1), Is.EqualTo(new byte[] { 0xff, 0xff, 0xff, 0xff }));
        Assert.That(FirmwareFiles.SerialConsole(0x3f8), Is.EqualTo(new byte[] { 0xf8, 0x03 }));
    }
}
