using System.Buffers.Binary;

namespace Kvm.Vmm.Boot;

/// <summary>
/// struct boot_params, the "zero page" (4096 bytes): the kernel's setup header with the loader's fields filled in,
/// and the E820 memory map (arch/x86/include/uapi/asm/bootparam.h offsets).
/// </summary>
public static class BootParams
{
    public const int Size = 4096;
    public const int MaxE820Entries = 128;

    private const int E820EntriesOffset = 0x1e8;
    private const int TypeOfLoaderOffset = 0x210;
    private const int LoadFlagsOffset = 0x211;
    private const int RamdiskImageOffset = 0x218;
    private const int RamdiskSizeOffset = 0x21c;
    private const int HeapEndPointerOffset = 0x224;
    private const int CommandLinePointerOffset = 0x228;
    private const int E820TableOffset = 0x2d0;

    private const byte UndefinedLoader = 0xff;
    private const byte CanUseHeap = 1 << 7;

    public static byte[] Build(BzImage kernel, ulong commandLineAddress, ulong initrdAddress, ulong initrdSize,
        IReadOnlyList<E820Entry> e820)
    {
        if (e820.Count > MaxE820Entries)
        {
            throw new BootException($"the memory map has {e820.Count} entries; boot_params holds {MaxE820Entries}");
        }

        var page = new byte[Size];
        kernel.SetupHeader.CopyTo(page.AsSpan(BzImage.SetupHeaderOffset));
        page[TypeOfLoaderOffset] = UndefinedLoader;
        page[LoadFlagsOffset] |= CanUseHeap;
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(HeapEndPointerOffset), 0xfe00);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(CommandLinePointerOffset), checked((uint)commandLineAddress));
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(RamdiskImageOffset), checked((uint)initrdAddress));
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(RamdiskSizeOffset), checked((uint)initrdSize));

        page[E820EntriesOffset] = (byte)e820.Count;
        for (int i = 0; i < e820.Count; i++)
        {
            var entry = page.AsSpan(E820TableOffset + i * E820Entry.EncodedSize, E820Entry.EncodedSize);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, e820[i].Address);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], e820[i].Size);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], e820[i].Type);
        }

        return page;
    }
}
