namespace Kvm.Vmm.Firmware;

/// <summary>
/// A legacy BIOS image (SeaBIOS's bios.bin or bios-256k.bin) and where a PC machine shows it: the whole image read-only
/// just below 4 GiB, where the reset vector (0xFFFFFFF0) lands, and its last 256 KiB (all of Debian's images) in RAM
/// ending at 1 MiB, from 0xC0000 or 0xE0000 up. That is what SeaBIOS finds on QEMU's PC machines once it has unlocked
/// shadow RAM and copied itself down: its real-mode code runs in 0xE0000-0xFFFFF, and the 32-bit code of a 256 KiB
/// build starts below 0xE0000. (A machine without QEMU's PAM registers leaves that copy to the VMM.)
/// </summary>
public sealed class BiosImage
{
    /// <summary>The end of the copy below 1 MiB and its largest size (0xC0000-0xFFFFF).</summary>
    public const ulong LowEnd = 0x10_0000;
    public const int LowMaxSize = 256 << 10;

    /// <summary>Firmware images are whole 64 KiB blocks, at most 16 MiB (the flash window below 4 GiB QEMU allows).</summary>
    public const int Granule = 64 << 10;
    public const int MaxSize = 16 << 20;

    private const ulong FourGiB = 1UL << 32;

    private BiosImage(string path, byte[] data)
    {
        Path = path;
        Data = data;
    }

    public string Path { get; }

    public byte[] Data { get; }

    /// <summary>Where the whole image sits: its last byte is just below 4 GiB.</summary>
    public ulong HighAddress => FourGiB - (ulong)Data.Length;

    /// <summary>The part copied below 1 MiB, and where it starts there.</summary>
    public ReadOnlyMemory<byte> LowPart => Data.AsMemory(Data.Length - Math.Min(Data.Length, LowMaxSize));

    public ulong LowAddress => LowEnd - (ulong)LowPart.Length;

    /// <summary>Reads and checks a BIOS image; the message of the <see cref="FirmwareException"/> names the file and the problem.</summary>
    public static BiosImage Load(string path)
    {
        long length;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FirmwareException(Directory.Exists(path) ? $"The firmware {path} is a directory, not a file" : $"The firmware {path} does not exist");
            }

            length = info.Length;
            if (length == 0 || length % Granule != 0 || length > MaxSize)
            {
                throw new FirmwareException($"The firmware {path} is {length} bytes: a BIOS image is a whole number of 64 KiB blocks, at most 16 MiB");
            }

            return new BiosImage(path, File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FirmwareException($"Cannot read the firmware {path}: {e.Message}", e);
        }
    }
}
