using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Boot;

/// <summary>
/// Loads a bzImage for the 64-bit boot protocol: the protected-mode kernel at 1 MiB, the command line, the initrd
/// as high as the kernel allows, boot_params, a flat GDT and page tables identity-mapping the first 1 GiB.
/// </summary>
public static class LinuxLoader
{
    /// <summary>The 64-bit entry point is 0x200 past the protected-mode kernel's start.</summary>
    private const ulong Entry64Offset = 0x200;
    private const ulong PageSize = 4096;
    private const ulong TwoMiB = 2 * 1024 * 1024;

    /// <summary>GDT selectors the boot protocol names: __BOOT_CS and __BOOT_DS; the TSS follows.</summary>
    public const ushort CodeSelector = 0x10;
    public const ushort DataSelector = 0x18;
    public const ushort TssSelector = 0x20;

    public static ulong Load(GuestMemory memory, BzImage kernel, ReadOnlySpan<byte> initrd, string commandLine,
        IReadOnlyList<E820Entry> e820)
    {
        ulong lowEnd = memory.Regions[0].End;
        var protectedMode = kernel.ProtectedModeKernel;
        ulong kernelEnd = GuestLayout.KernelAddress + Math.Max((ulong)protectedMode.Length, kernel.InitSize);
        if (kernelEnd > lowEnd)
        {
            throw new BootException($"memory too small for the kernel: it needs {Mib(kernelEnd)} MiB of RAM below " +
                                    $"{Mib(GuestLayout.PciHoleStart)} MiB, the guest has {Mib(lowEnd)} MiB there");
        }

        memory.Write(GuestLayout.KernelAddress, protectedMode);

        byte[] line = Encoding.UTF8.GetBytes(commandLine);
        if ((ulong)line.Length >= Math.Min(kernel.CommandLineSize, GuestLayout.CommandLineMax))
        {
            throw new BootException($"the kernel command line is {line.Length} bytes; the kernel takes at most {kernel.CommandLineSize}");
        }

        memory.Write(GuestLayout.CommandLineAddress, line);
        memory.GetSpan(GuestLayout.CommandLineAddress + (ulong)line.Length, 1)[0] = 0;

        ulong initrdAddress = 0;
        if (!initrd.IsEmpty)
        {
            ulong ceiling = Math.Min(lowEnd, (ulong)kernel.InitrdAddressMax + 1);
            ulong size = (ulong)initrd.Length;
            if (size > ceiling || (initrdAddress = (ceiling - size) & ~(PageSize - 1)) < kernelEnd)
            {
                throw new BootException($"memory too small for the kernel and initrd: they need {Mib(kernelEnd + size) + 1} MiB " +
                                        $"below {Mib(ceiling)} MiB, the guest has {Mib(lowEnd)} MiB there");
            }

            memory.Write(initrdAddress, initrd);
        }

        memory.Write(GuestLayout.BootParamsAddress,
            BootParams.Build(kernel, GuestLayout.CommandLineAddress, initrdAddress, (ulong)initrd.Length, e820));
        WriteGdt(memory);
        WritePageTables(memory);
        return GuestLayout.KernelAddress + Entry64Offset;
    }

    /// <summary>Null, null, 64-bit code (0x10), data (0x18), TSS (0x20); flat 4 GiB segments.</summary>
    private static void WriteGdt(GuestMemory memory)
    {
        ulong[] gdt = [0, 0, Descriptor(0xa09b, 0, 0xfffff), Descriptor(0xc093, 0, 0xfffff), Descriptor(0x808b, 0, 0xfffff)];
        var span = memory.GetSpan(GuestLayout.GdtAddress, gdt.Length * 8);
        for (int i = 0; i < gdt.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[(i * 8)..], gdt[i]);
        }

        memory.GetSpan(GuestLayout.IdtAddress, 8).Clear();
    }

    /// <summary>A segment descriptor from its flags word (granularity, size, present, DPL, type), base and 20-bit limit.</summary>
    public static ulong Descriptor(ushort flags, uint baseAddress, uint limit) =>
        ((ulong)(baseAddress & 0xff000000) << 32) | ((ulong)(flags & 0xf0ff) << 40) | ((ulong)(limit & 0xf0000) << 32)
        | ((ulong)(baseAddress & 0x00ffffff) << 16) | (limit & 0xffff);

    /// <summary>PML4 → PDPT → one page directory of 2 MiB pages: the first 1 GiB mapped onto itself.</summary>
    private static void WritePageTables(GuestMemory memory)
    {
        const ulong present = 1, writable = 2, large = 0x80;
        var pml4 = memory.GetSpan(GuestLayout.Pml4Address, (int)PageSize);
        var pdpt = memory.GetSpan(GuestLayout.PdptAddress, (int)PageSize);
        var pd = memory.GetSpan(GuestLayout.PdAddress, (int)PageSize);
        pml4.Clear();
        pdpt.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(pml4, GuestLayout.PdptAddress | present | writable);
        BinaryPrimitives.WriteUInt64LittleEndian(pdpt, GuestLayout.PdAddress | present | writable);
        for (int i = 0; i < 512; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(pd[(i * 8)..], ((ulong)i * TwoMiB) | present | writable | large);
        }
    }

    private static ulong Mib(ulong bytes) => bytes >> 20;
}
