using System.Buffers.Binary;

namespace Kvm.Vmm.Boot;

/// <summary>
/// A Linux x86 bzImage as the boot protocol describes it (Documentation/arch/x86/boot.rst): the real-mode setup
/// sectors, whose setup header the loader copies into boot_params, followed by the protected-mode kernel. Only
/// kernels with the 64-bit entry point (protocol 2.12 or later, XLF_KERNEL_64) are accepted.
/// </summary>
public sealed class BzImage
{
    public const int SetupHeaderOffset = 0x1f1;
    private const int SectorSize = 512;
    private const uint HeaderMagic = 0x53726448; // "HdrS"
    private const ushort BootFlag = 0xaa55;
    private const ushort MinimumVersion = 0x020c;
    private const ushort XlfKernel64 = 1 << 0;
    private const byte LoadedHigh = 1 << 0;

    private BzImage(byte[] image, int setupHeaderLength, int kernelOffset)
    {
        Image = image;
        SetupHeaderLength = setupHeaderLength;
        KernelOffset = kernelOffset;
    }

    public byte[] Image { get; }

    /// <summary>Bytes of the setup header from offset 0x1f1 (0x202 + the byte at 0x201, less 0x1f1).</summary>
    public int SetupHeaderLength { get; }

    /// <summary>Where the protected-mode kernel starts in the file: (setup_sects + 1) × 512.</summary>
    public int KernelOffset { get; }

    public ReadOnlySpan<byte> SetupHeader => Image.AsSpan(SetupHeaderOffset, SetupHeaderLength);

    public ReadOnlySpan<byte> ProtectedModeKernel => Image.AsSpan(KernelOffset);

    public ushort Version => Read16(0x206);

    /// <summary>The highest address the initrd may end at (initrd_addr_max).</summary>
    public uint InitrdAddressMax => Read32(0x22c);

    /// <summary>The longest command line the kernel takes, without the terminating zero.</summary>
    public uint CommandLineSize => Read32(0x238);

    /// <summary>The memory the kernel needs from its load address while it decompresses and starts (init_size).</summary>
    public uint InitSize => Read32(0x260);

    public static BzImage Load(string path)
    {
        byte[] image;
        try
        {
            image = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootException($"cannot read the kernel {path}: {e.Message}");
        }

        return Parse(image, path);
    }

    public static BzImage Parse(byte[] image, string name)
    {
        if (image.Length < 0x268 || BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(0x202)) != HeaderMagic
            || BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x1fe)) != BootFlag)
        {
            throw new BootException($"the kernel {name} is not a Linux bzImage (no boot protocol header at offset 0x202)");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x206));
        ushort xloadflags = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x236));
        if (version < MinimumVersion || (xloadflags & XlfKernel64) == 0)
        {
            throw new BootException($"the kernel {name} has no 64-bit entry point (boot protocol {version >> 8}.{version & 0xff}, " +
                                    "XLF_KERNEL_64 not set); a 64-bit kernel with boot protocol 2.12 or later is needed");
        }

        if ((image[0x211] & LoadedHigh) == 0)
        {
            throw new BootException($"the kernel {name} is a zImage (not loaded high); only bzImage kernels boot");
        }

        int setupSectors = image[SetupHeaderOffset] == 0 ? 4 : image[SetupHeaderOffset];
        int kernelOffset = (setupSectors + 1) * SectorSize;
        int headerLength = 0x202 + image[0x201] - SetupHeaderOffset;
        if (kernelOffset >= image.Length || SetupHeaderOffset + headerLength > Math.Min(kernelOffset, image.Length))
        {
            throw new BootException($"the kernel {name} is truncated: its setup header says the kernel starts at " +
                                    $"offset {kernelOffset}, but the file has {image.Length} bytes");
        }

        return new BzImage(image, headerLength, kernelOffset);
    }

    private ushort Read16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(Image.AsSpan(offset));

    private uint Read32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Image.AsSpan(offset));
}
