namespace Kvm.Vmm.Boot;

/// <summary>
/// Where things go in guest physical memory for a direct Linux boot. Low memory: the GDT, boot_params, the boot
/// stack, the identity page tables and the command line below 640 KiB; the kernel at 1 MiB; RAM above 3 GiB moves
/// to 4 GiB, leaving a hole for 32-bit device addresses.
/// </summary>
public static class GuestLayout
{
    public const ulong GdtAddress = 0x500;
    public const ulong IdtAddress = 0x520;
    public const ulong BootParamsAddress = 0x7000;
    public const ulong BootStackPointer = 0x8ff0;
    public const ulong Pml4Address = 0x9000;
    public const ulong PdptAddress = 0xa000;
    public const ulong PdAddress = 0xb000;
    public const ulong CommandLineAddress = 0x20000;
    public const ulong CommandLineMax = 0x10000;

    /// <summary>The extended BIOS data area: the end of usable low memory (the MP table goes here).</summary>
    public const ulong EbdaAddress = 0x9fc00;

    public const ulong KernelAddress = 0x100000;

    /// <summary>Where the 32-bit hole for device memory starts; RAM beyond it continues at 4 GiB.</summary>
    public const ulong PciHoleStart = 0xc000_0000;
    public const ulong FourGiB = 0x1_0000_0000;

    /// <summary>The guest RAM regions for <paramref name="size"/> bytes of memory.</summary>
    public static List<(ulong GuestAddress, ulong Size)> RamRegions(ulong size) => RamRegions(size, PciHoleStart);

    /// <summary>The guest RAM regions for <paramref name="size"/> bytes of memory with the 32-bit hole from <paramref name="holeStart"/>.</summary>
    public static List<(ulong GuestAddress, ulong Size)> RamRegions(ulong size, ulong holeStart)
    {
        if (size <= holeStart)
        {
            return [(0, size)];
        }

        return [(0, holeStart), (FourGiB, size - holeStart)];
    }

    /// <summary>The E820 map the guest gets for those regions: RAM below the EBDA, then from 1 MiB on.</summary>
    public static List<E820Entry> E820(IReadOnlyList<(ulong GuestAddress, ulong Size)> regions)
    {
        var map = new List<E820Entry> { new(0, EbdaAddress, E820Entry.Ram) };
        foreach (var (address, size) in regions)
        {
            ulong start = Math.Max(address, KernelAddress);
            if (address + size > start)
            {
                map.Add(new E820Entry(start, address + size - start, E820Entry.Ram));
            }
        }

        return map;
    }
}
