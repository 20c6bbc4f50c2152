using System.Buffers.Binary;
using System.Text;

namespace Kvm.Vmm.Devices.FwCfg;

/// <summary>
/// What a machine's fw_cfg device offers: the numbered items and the named files, with the file directory (item
/// <see cref="FwCfgKey.FileDirectory"/>) built from them. Files are listed and numbered in name order, from
/// <see cref="FwCfgKey.FirstFile"/>, as QEMU numbers them. Immutable once built; the device only reads it.
/// </summary>
public sealed class FwCfgContent
{
    /// <summary>More files than any machine needs (QEMU's default is 32 slots; libvirt adds a few opt/ entries).</summary>
    public const int MaxFiles = 1024;

    /// <summary>Everything the content holds at most, so a user's entries cannot make the VMM hold unbounded memory.</summary>
    public const long MaxTotalBytes = 64L << 20;

    private readonly Dictionary<ushort, byte[]> _items;

    private FwCfgContent(Dictionary<ushort, byte[]> items, IReadOnlyList<string> files)
    {
        _items = items;
        Files = files;
    }

    /// <summary>The files' names in directory order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>
    /// The item selected by <paramref name="key"/> (the write bit ignored), or null. Architecture-specific keys (bit
    /// 15) are items of their own, as in QEMU, where they are a second table: none of ours, so they read as zeroes.
    /// (Aliasing them to the generic items once made SeaBIOS read the signature "QE" as the count of QEMU's legacy
    /// ACPI table entries at 0x8000 and walk 17,745 of them, seconds of its boot under nested KVM.)
    /// </summary>
    public byte[]? Item(ushort key) => _items.GetValueOrDefault((ushort)(key & ~FwCfgKey.WriteChannel));

    /// <summary>
    /// The items every machine has: the signature, the ID (traditional and DMA interfaces), the UUID, the RAM size,
    /// the vCPU counts and no graphics; plus <paramref name="files"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A file name is empty, too long, not ASCII, or given twice; too many or too large files.</exception>
    public static FwCfgContent Create(Guid uuid, ulong ramBytes, int vcpus, IEnumerable<KeyValuePair<string, byte[]>> files, bool bootMenu = false)
    {
        var items = new Dictionary<ushort, byte[]>
        {
            [FwCfgKey.Signature] = "QEMU"u8.ToArray(),
            [FwCfgKey.Id] = Le32(0x1 | 0x2),
            [FwCfgKey.Uuid] = uuid.ToByteArray(bigEndian: true),
            [FwCfgKey.RamSize] = Le64(ramBytes),
            [FwCfgKey.NoGraphic] = Le16(1),
            [FwCfgKey.CpuCount] = Le16((ushort)vcpus),
            [FwCfgKey.MaxCpus] = Le16((ushort)vcpus),
            [FwCfgKey.BootMenu] = Le16(bootMenu ? (ushort)1 : (ushort)0),
        };

        var sorted = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (name, data) in files)
        {
            if (name.Length == 0 || name.Length >= FwCfgKey.MaxNameBytes || !Ascii.IsValid(name) || name.Contains('\0'))
            {
                throw new ArgumentException($"fw_cfg file name '{name}' must be 1 to {FwCfgKey.MaxNameBytes - 1} ASCII characters", nameof(files));
            }

            if (!sorted.TryAdd(name, data))
            {
                throw new ArgumentException($"fw_cfg file '{name}' is given twice", nameof(files));
            }

            total += data.Length;
            if (sorted.Count > MaxFiles || total > MaxTotalBytes)
            {
                throw new ArgumentException($"fw_cfg files take at most {MaxFiles} entries and {MaxTotalBytes >> 20} MiB", nameof(files));
            }
        }

        var directory = new byte[4 + 64 * sorted.Count];
        BinaryPrimitives.WriteUInt32BigEndian(directory, (uint)sorted.Count);
        ushort key = FwCfgKey.FirstFile;
        int at = 4;
        foreach (var (name, data) in sorted)
        {
            BinaryPrimitives.WriteUInt32BigEndian(directory.AsSpan(at), (uint)data.Length);
            BinaryPrimitives.WriteUInt16BigEndian(directory.AsSpan(at + 4), key);
            Encoding.ASCII.GetBytes(name, directory.AsSpan(at + 8, FwCfgKey.MaxNameBytes));
            items[key++] = data;
            at += 64;
        }

        items[FwCfgKey.FileDirectory] = directory;
        return new FwCfgContent(items, [.. sorted.Keys]);
    }

    private static byte[] Le16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Le32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Le64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }
}
