using System.Buffers.Binary;

namespace Kvm.Vmm.Tests;

/// <summary>
/// An installed-looking BIOS boot disk built from real parts: an MBR partition table with syslinux's MBR boot code
/// (syslinux-common), one active FAT16 partition made by mkfs.fat (dosfstools) with syslinux's boot sector and
/// ldlinux.sys installed by <c>syslinux --install</c>, and the kernel, initramfs and syslinux.cfg copied in by mcopy
/// (mtools). Firmware reads the MBR, syslinux loads the kernel and initramfs through the BIOS's disk services.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class FirmwareDisk
{
    public const string MbrCode = "/usr/lib/syslinux/mbr/mbr.bin";

    /// <summary>The partition's first sector (1 MiB, as partitioning tools align it).</summary>
    public const long PartitionStart = 2048;

    /// <summary>What syslinux says (through the BIOS's video services, which SeaBIOS forwards to COM1) before it loads the kernel.</summary>
    public const string LoaderLine = "syslinux: loading the kernel and the initramfs";

    /// <summary>The tools the image needs, for a clear failure when one is missing.</summary>
    public static IEnumerable<string> MissingTools()
    {
        foreach (string tool in new[] { "mkfs.fat", "syslinux", "mcopy" })
        {
            if (DiskGuest.Find(tool) is null)
            {
                yield return tool;
            }
        }

        if (!File.Exists(MbrCode))
        {
            yield return MbrCode;
        }
    }

    /// <summary>
    /// A raw image of <paramref name="megabytes"/> MiB whose partition boots <paramref name="kernel"/> with
    /// <paramref name="initrd"/> and the command line <paramref name="append"/>; the last MiB stays outside the
    /// partition, for the guest to write to.
    /// </summary>
    public static string Build(string directory, string kernel, string initrd, string append, int megabytes = 64)
    {
        string image = Path.Combine(directory, "boot.raw");
        long sectors = (long)megabytes << 11;
        long partitionSectors = sectors - PartitionStart - 2048;
        using (var file = new FileStream(image, FileMode.Create, FileAccess.Write))
        {
            file.SetLength(sectors * 512);
            file.Write(Mbr(File.ReadAllBytes(MbrCode), PartitionStart, partitionSectors));
        }

        string offset = (PartitionStart * 512).ToString(System.Globalization.CultureInfo.InvariantCulture);
        DiskGuest.Run("mkfs.fat", "-F", "16", "-h", PartitionStart.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--offset", PartitionStart.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "KVMBOOT", image,
            (partitionSectors / 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        DiskGuest.Run("syslinux", "--install", "--offset", offset, image);
        string config = Path.Combine(directory, "syslinux.cfg");
        // No SERIAL line: syslinux writing to COM1 itself as well as through the BIOS (whose serial console then
        // forwards the same text) interleaves the two copies, character by character.
        File.WriteAllText(config, $"DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  SAY {LoaderLine}\n  KERNEL vmlinuz\n  INITRD initrd.img\n  APPEND {append}\n");
        string staged = Path.Combine(directory, "initrd.img");
        File.Copy(initrd, staged, overwrite: true);
        string kernelCopy = Path.Combine(directory, "vmlinuz");
        File.Copy(kernel, kernelCopy, overwrite: true);
        DiskGuest.Run("mcopy", "-i", $"{image}@@{offset}", config, kernelCopy, staged, "::/");
        return image;
    }

    /// <summary>Sector 0: the boot code, one active partition entry (FAT16 with LBA, type 0x0E) and the 0x55AA signature.</summary>
    private static byte[] Mbr(byte[] code, long start, long count)
    {
        var sector = new byte[512];
        code.AsSpan(0, Math.Min(code.Length, 440)).CopyTo(sector);
        var entry = sector.AsSpan(446, 16);
        entry[0] = 0x80; // active
        entry[1] = 0xfe; // CHS of the first sector: beyond CHS, LBA is what counts
        entry[2] = 0xff;
        entry[3] = 0xff;
        entry[4] = 0x0e;
        entry[5] = 0xfe;
        entry[6] = 0xff;
        entry[7] = 0xff;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)start);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], (uint)count);
        sector[510] = 0x55;
        sector[511] = 0xaa;
        return sector;
    }
}
