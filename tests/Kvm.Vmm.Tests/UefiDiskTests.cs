using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// The UEFI boot disk of <see cref="UefiBootTests"/> as other tools read it: libblkid (blkid) finds a valid GPT, whose
/// header and array checksums it checks, and mtools finds GRUB at the removable-media path on the ESP.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UefiDiskTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        var missing = UefiDisk.MissingTools().Concat(new[] { "blkid", "mdir" }.Where(t => DiskGuest.Find(t) is null)).ToList();
        if (missing.Count > 0)
        {
            Assert.Fail($"missing {string.Join(", ", missing)}: apt-get install grub-efi-amd64-bin mtools dosfstools util-linux");
        }

        _directory = Directory.CreateTempSubdirectory("uefi-disk-").FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Build_MakesAGptWithAnEspHoldingGrubAndTheKernel()
    {
        string kernel = Path.Combine(_directory, "kernel-in");
        string initrd = Path.Combine(_directory, "initrd-in");
        File.WriteAllBytes(kernel, new byte[4096]);
        File.WriteAllBytes(initrd, new byte[1024]);

        string image = UefiDisk.Build(_directory, kernel, initrd, "console=ttyS0");

        var (_, probe) = DiskGuest.Run("blkid", "-p", "-o", "export", image);
        Assert.That(probe, Does.Contain("PTTYPE=gpt"), "libblkid accepts the GPT (it checks both CRCs)");
        var (_, partition) = DiskGuest.Run("blkid", "-p", "-o", "export", "--offset", (2048 * 512).ToString(System.Globalization.CultureInfo.InvariantCulture), image);
        Assert.That(partition, Does.Contain("TYPE=vfat").And.Contain("LABEL=ESP"));
        var (_, listing) = DiskGuest.Run("mdir", "-b", "-/", "-i", $"{image}@@{2048 * 512}", "::/");
        Assert.That(listing, Does.Contain("::/EFI/BOOT/BOOTX64.EFI").And.Contain("::/vmlinuz").And.Contain("::/initrd.img"));
    }

    [Test]
    public void Crc32_MatchesTheStandardCheckValue()
    {
        Assert.That(UefiDisk.Crc32("123456789"u8), Is.EqualTo(0xcbf4_3926u));
    }
}
