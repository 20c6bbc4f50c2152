using System.Buffers.Binary;
using System.Text;

namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// QEMU's linker/loader script for firmware (the fw_cfg file <c>etc/table-loader</c>), which SeaBIOS and OVMF both
/// run: allocate a fw_cfg file in guest memory, add the address where one file was placed to a pointer field inside
/// another, compute an ACPI checksum over a range. Each command is 128 bytes: a little-endian command number, then
/// its fields (file names in 56-byte NUL-padded fields, as fw_cfg names them).
/// </summary>
public sealed class TableLoader
{
    public const int EntrySize = 128;

    /// <summary>The longest name a command can hold (fw_cfg's 56-byte name field, NUL included).</summary>
    public const int NameBytes = 56;

    /// <summary>Allocation zones: anywhere in the low 4 GiB, or the F segment (0xF0000-0xFFFFF, where an RSDP is looked for).</summary>
    public const byte ZoneHigh = 1;
    public const byte ZoneFSegment = 2;

    private const uint CommandAllocate = 1;
    private const uint CommandAddPointer = 2;
    private const uint CommandAddChecksum = 3;

    private readonly List<byte[]> _entries = [];

    /// <summary>Commands so far.</summary>
    public int Count => _entries.Count;

    /// <summary>ALLOCATE: the firmware places <paramref name="file"/> at an <paramref name="alignment"/>-aligned address in <paramref name="zone"/>.</summary>
    public TableLoader Allocate(string file, uint alignment, byte zone)
    {
        var entry = Entry(CommandAllocate);
        Name(entry.AsSpan(4), file);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4 + NameBytes), alignment);
        entry[4 + NameBytes + 4] = zone;
        return Add(entry);
    }

    /// <summary>
    /// ADD_POINTER: the <paramref name="size"/>-byte little-endian value at <paramref name="offset"/> of
    /// <paramref name="destination"/> (an offset into <paramref name="source"/>) gets the address of
    /// <paramref name="source"/> added.
    /// </summary>
    public TableLoader AddPointer(string destination, string source, uint offset, byte size)
    {
        if (size is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a pointer is 1, 2, 4 or 8 bytes");
        }

        var entry = Entry(CommandAddPointer);
        Name(entry.AsSpan(4), destination);
        Name(entry.AsSpan(4 + NameBytes), source);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4 + (2 * NameBytes)), offset);
        entry[4 + (2 * NameBytes) + 4] = size;
        return Add(entry);
    }

    /// <summary>
    /// ADD_CHECKSUM: the byte at <paramref name="offset"/> of <paramref name="file"/> (0 until then) is set so that
    /// the <paramref name="length"/> bytes from <paramref name="start"/> sum to zero.
    /// </summary>
    public TableLoader AddChecksum(string file, uint offset, uint start, uint length)
    {
        var entry = Entry(CommandAddChecksum);
        Name(entry.AsSpan(4), file);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4 + NameBytes), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4 + NameBytes + 4), start);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4 + NameBytes + 8), length);
        return Add(entry);
    }

    public byte[] ToArray() => [.. _entries.SelectMany(e => e)];

    private static byte[] Entry(uint command)
    {
        var entry = new byte[EntrySize];
        BinaryPrimitives.WriteUInt32LittleEndian(entry, command);
        return entry;
    }

    private static void Name(Span<byte> field, string name)
    {
        if (name.Length == 0 || name.Length >= NameBytes || !Ascii.IsValid(name))
        {
            throw new ArgumentException($"fw_cfg file name '{name}' must be 1 to {NameBytes - 1} ASCII characters", nameof(name));
        }

        Encoding.ASCII.GetBytes(name, field);
    }

    private TableLoader Add(byte[] entry)
    {
        _entries.Add(entry);
        return this;
    }
}
