using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Kvm.Vmm.Tests;

/// <summary>
/// An installed-looking UEFI boot disk built from real parts: a GPT (protective MBR, primary and backup headers and
/// partition arrays, written here) with one EFI system partition, a FAT filesystem made by mkfs.fat (dosfstools) holding
/// GRUB for EFI at the removable-media path EFI/BOOT/BOOTX64.EFI (grub-mkstandalone, grub-efi-amd64-bin, with its
/// configuration inside) and Debian's kernel and an initramfs copied in by mtools. OVMF finds the partition, runs GRUB,
/// GRUB loads the kernel through the firmware's file services.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class UefiDisk
{
    /// <summary>What GRUB prints on the serial console before it loads the kernel.</summary>
    public const string LoaderLine = "grub: loading the kernel and the initramfs";

    /// <summary>The ESP's partition type (UEFI specification, 5.3.3).</summary>
    private static readonly Guid s_espType = new("c12a7328-f81f-11d2-ba4b-00a0c93ec93b");

    private const int SectorSize = 512;
    private const long PartitionStart = 2048;
    private const int Entries = 128;
    private const int EntrySize = 128;
    private const int ArraySectors = Entries * EntrySize / SectorSize; // 32

    /// <summary>The tools the image needs, for a clear failure when one is missing.</summary>
    public static IEnumerable<string> MissingTools() =>
        new[] { "mkfs.fat", "mcopy", "mmd", "grub-mkstandalone" }.Where(tool => DiskGuest.Find(tool) is null);

    /// <summary>A raw GPT image of <paramref name="megabytes"/> MiB whose ESP boots <paramref name="kernel"/> with <paramref name="initrd"/> and <paramref name="append"/>.</summary>
    public static string Build(string directory, string kernel, string initrd, string append, int megabytes = 64)
    {
        string image = Path.Combine(directory, "uefi.raw");
        long sectors = (long)megabytes << 11;
        long lastUsable = sectors - 1 - ArraySectors - 1;
        long partitionEnd = lastUsable - 2047; // a MiB free at the end, as partitioning tools leave it
        using (var file = new FileStream(image, FileMode.Create, FileAccess.Write))
        {
            file.SetLength(sectors * SectorSize);
            foreach (var (lba, bytes) in Gpt(sectors, lastUsable, PartitionStart, partitionEnd))
            {
                file.Position = lba * SectorSize;
                file.Write(bytes);
            }
        }

        long partitionSectors = partitionEnd - PartitionStart + 1;
        string start = PartitionStart.ToString(CultureInfo.InvariantCulture);
        DiskGuest.Run("mkfs.fat", "-F", "16", "-h", start, "--offset", start, "-n", "ESP", image,
            (partitionSectors / 2).ToString(CultureInfo.InvariantCulture));

        string config = Path.Combine(directory, "grub.cfg");
        File.WriteAllText(config, "serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n"
            + $"echo {LoaderLine}\nsearch --no-floppy --set=root --file /vmlinuz\nlinux /vmlinuz {append}\ninitrd /initrd.img\nboot\n");
        string grub = Path.Combine(directory, "BOOTX64.EFI");
        DiskGuest.Run("grub-mkstandalone", "-O", "x86_64-efi", "-o", grub, "--modules=part_gpt fat serial search linux echo",
            "--install-modules=part_gpt fat serial search linux echo normal terminal memdisk tar configfile", $"boot/grub/grub.cfg={config}");
        string target = $"{image}@@{PartitionStart * SectorSize}";
        DiskGuest.Run("mmd", "-i", target, "::/EFI", "::/EFI/BOOT");
        DiskGuest.Run("mcopy", "-i", target, grub, "::/EFI/BOOT/BOOTX64.EFI");
        string kernelCopy = Path.Combine(directory, "vmlinuz");
        string initrdCopy = Path.Combine(directory, "initrd.img");
        File.Copy(kernel, kernelCopy, overwrite: true);
        File.Copy(initrd, initrdCopy, overwrite: true);
        DiskGuest.Run("mcopy", "-i", target, kernelCopy, initrdCopy, "::/");
        return image;
    }

    /// <summary>The sectors of a GPT with one partition, as (LBA, bytes): protective MBR, primary header and array, backup array and header.</summary>
    internal static IEnumerable<(long Lba, byte[] Bytes)> Gpt(long sectors, long lastUsable, long first, long last)
    {
        var array = new byte[ArraySectors * SectorSize];
        var entry = array.AsSpan(0, EntrySize);
        s_espType.TryWriteBytes(entry[..16]); // GUIDs are stored in the same mixed-endian layout as .NET's bytes
        Guid.NewGuid().TryWriteBytes(entry[16..32]);
        BinaryPrimitives.WriteInt64LittleEndian(entry[32..], first);
        BinaryPrimitives.WriteInt64LittleEndian(entry[40..], last);
        Encoding.Unicode.GetBytes("EFI System").CopyTo(entry[56..]);
        uint arrayCrc = Crc32(array);
        var disk = Guid.NewGuid();
        long backupArray = sectors - 1 - ArraySectors;

        var mbr = new byte[SectorSize];
        var part = mbr.AsSpan(446, 16);
        part[1] = 0x00; // CHS 0/0/2
        part[2] = 0x02;
        part[4] = 0xee; // GPT protective
        part[5] = part[6] = part[7] = 0xff;
        BinaryPrimitives.WriteUInt32LittleEndian(part[8..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(part[12..], (uint)Math.Min(sectors - 1, uint.MaxValue));
        mbr[510] = 0x55;
        mbr[511] = 0xaa;

        yield return (0, mbr);
        yield return (1, Header(1, sectors - 1, 2, lastUsable, disk, arrayCrc));
        yield return (2, array);
        yield return (backupArray, array);
        yield return (sectors - 1, Header(sectors - 1, 1, backupArray, lastUsable, disk, arrayCrc));
    }

    private static byte[] Header(long self, long alternate, long arrayLba, long lastUsable, Guid disk, uint arrayCrc)
    {
        var sector = new byte[SectorSize];
        var h = sector.AsSpan(0, 92);
        Encoding.ASCII.GetBytes("EFI PART").CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], 0x0001_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 92);
        BinaryPrimitives.WriteInt64LittleEndian(h[24..], self);
        BinaryPrimitives.WriteInt64LittleEndian(h[32..], alternate);
        BinaryPrimitives.WriteInt64LittleEndian(h[40..], 2 + ArraySectors);
        BinaryPrimitives.WriteInt64LittleEndian(h[48..], lastUsable);
        disk.TryWriteBytes(h[56..72]);
        BinaryPrimitives.WriteInt64LittleEndian(h[72..], arrayLba);
        BinaryPrimitives.WriteUInt32LittleEndian(h[80..], Entries);
        BinaryPrimitives.WriteUInt32LittleEndian(h[84..], EntrySize);
        BinaryPrimitives.WriteUInt32LittleEndian(h[88..], arrayCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], Crc32(h)); // computed with its own field zero
        return sector;
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, as the GPT uses it).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffff_ffff;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc >> 1) ^ (0xedb8_8320 & (0u - (crc & 1)));
            }
        }

        return ~crc;
    }
}
