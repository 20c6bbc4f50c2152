using System.Buffers.Binary;
using System.Text;

namespace Kvm.Vmm.Block;

/// <summary>
/// A qcow2 header (QEMU docs/interop/qcow2.txt, "Header" and "Header extensions"), parsed from the first cluster and
/// checked against the file's length so that every table it names lies inside the file and every later allocation is
/// bounded. Parse throws <see cref="BlockException"/> naming the file and the problem.
/// </summary>
internal sealed class Qcow2Header
{
    public const uint Magic = 0x514649fb; // "QFI\xfb"
    public const int Version2Length = 72;
    public const int Version3Length = 104;
    public const int MaxL1Bytes = 32 << 20; // QEMU's QCOW2_MAX_L1_SIZE
    public const int MaxRefTableBytes = 8 << 20; // QEMU's QCOW2_MAX_REFTABLE_SIZE
    public const int MaxBackingNameLength = 1023;

    public const ulong IncompatDirty = 1UL << 0;
    public const ulong IncompatCorrupt = 1UL << 1;
    public const ulong IncompatExternalData = 1UL << 2;
    public const ulong IncompatCompressionType = 1UL << 3;
    public const ulong IncompatExtendedL2 = 1UL << 4;
    public const ulong CompatLazyRefcounts = 1UL << 0;

    private const uint ExtensionEnd = 0;
    private const uint ExtensionBackingFormat = 0xe2792aca;
    private const uint ExtensionFeatureNames = 0x6803f857;

    public int Version { get; private init; }

    public int ClusterBits { get; private init; }

    public int ClusterSize => 1 << ClusterBits;

    public ulong Size { get; private init; }

    public uint L1Size { get; private init; }

    public ulong L1TableOffset { get; private init; }

    public ulong RefcountTableOffset { get; private init; }

    public uint RefcountTableClusters { get; private init; }

    public uint SnapshotCount { get; private init; }

    public ulong Incompatible { get; private init; }

    public ulong Compatible { get; private init; }

    public ulong Autoclear { get; private init; }

    public int RefcountBits { get; private init; }

    public string? BackingFile { get; private set; }

    public string? BackingFormat { get; private set; }

    /// <summary>Parses and checks the header of <paramref name="path"/>, whose first bytes are <paramref name="first"/> (up to one cluster).</summary>
    public static Qcow2Header Parse(string path, ReadOnlySpan<byte> first, ulong fileLength)
    {
        if (first.Length < Version2Length)
        {
            throw Bad(path, "the file is too short for a qcow2 header");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(first) != Magic)
        {
            throw Bad(path, "not a qcow2 image (bad magic)");
        }

        uint version = Be32(first, 4);
        if (version is not (2 or 3))
        {
            throw Bad(path, $"qcow2 version {version} is not supported");
        }

        uint clusterBits = Be32(first, 20);
        if (clusterBits is < 9 or > 21)
        {
            throw Bad(path, $"cluster_bits {clusterBits} is outside 9..21");
        }

        int clusterSize = 1 << (int)clusterBits;
        if (fileLength < (ulong)clusterSize || first.Length < clusterSize)
        {
            throw Bad(path, "the file is shorter than one cluster");
        }

        first = first[..Math.Min(first.Length, clusterSize)];
        if (Be32(first, 32) != 0)
        {
            throw Bad(path, "encrypted images are not supported");
        }

        ulong incompatible = 0, compatible = 0, autoclear = 0;
        int refcountOrder = 4;
        int headerLength = Version2Length;
        if (version == 3)
        {
            if (first.Length < Version3Length)
            {
                throw Bad(path, "the file is too short for a version 3 header");
            }

            incompatible = Be64(first, 72);
            compatible = Be64(first, 80);
            autoclear = Be64(first, 88);
            uint order = Be32(first, 96);
            uint length = Be32(first, 100);
            if (order > 6)
            {
                throw Bad(path, $"refcount_order {order} is above 6");
            }

            if (length < Version3Length || length > (uint)clusterSize)
            {
                throw Bad(path, $"header_length {length} is outside {Version3Length}..{clusterSize}");
            }

            refcountOrder = (int)order;
            headerLength = (int)length;
        }

        var header = new Qcow2Header
        {
            Version = (int)version,
            ClusterBits = (int)clusterBits,
            Size = Be64(first, 24),
            L1Size = Be32(first, 36),
            L1TableOffset = Be64(first, 40),
            RefcountTableOffset = Be64(first, 48),
            RefcountTableClusters = Be32(first, 56),
            SnapshotCount = Be32(first, 60),
            Incompatible = incompatible,
            Compatible = compatible,
            Autoclear = autoclear,
            RefcountBits = 1 << refcountOrder,
        };
        var names = new Dictionary<(int Type, int Bit), string>();
        string? backingFormat = ReadExtensions(path, first, headerLength, names);
        header.CheckFeatures(path, first, headerLength, names);
        header.CheckTables(path, fileLength);
        header.BackingFile = ReadBackingName(path, first);
        header.BackingFormat = backingFormat;
        return header;
    }

    /// <summary>The number of L1 entries a disk of <paramref name="size"/> bytes needs.</summary>
    public static ulong L1EntriesFor(ulong size, int clusterBits)
    {
        int bytesPerL1Bits = clusterBits + clusterBits - 3;
        return bytesPerL1Bits >= 64 ? 1 : (size >> bytesPerL1Bits) + ((size & ((1UL << bytesPerL1Bits) - 1)) != 0 ? 1UL : 0);
    }

    private static string? ReadExtensions(string path, ReadOnlySpan<byte> first, int start, Dictionary<(int, int), string> names)
    {
        string? backingFormat = null;
        int position = start;
        while (position + 8 <= first.Length)
        {
            uint type = Be32(first, position);
            uint length = Be32(first, position + 4);
            if (type == ExtensionEnd)
            {
                return backingFormat;
            }

            if (length > (uint)(first.Length - position - 8))
            {
                throw Bad(path, $"header extension 0x{type:x8} runs past the first cluster");
            }

            var data = first.Slice(position + 8, (int)length);
            if (type == ExtensionBackingFormat)
            {
                backingFormat = Encoding.UTF8.GetString(data);
            }
            else if (type == ExtensionFeatureNames)
            {
                for (int i = 0; i + 48 <= data.Length; i += 48)
                {
                    var name = data.Slice(i + 2, 46);
                    int end = name.IndexOf((byte)0);
                    names[(data[i], data[i + 1])] = Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
                }
            }

            position += 8 + (int)((length + 7) & ~7u);
        }

        return backingFormat;
    }

    private void CheckFeatures(string path, ReadOnlySpan<byte> first, int headerLength, Dictionary<(int, int), string> names)
    {
        if ((Incompatible & IncompatExternalData) != 0)
        {
            throw Bad(path, "external data files are not supported");
        }

        if ((Incompatible & IncompatExtendedL2) != 0)
        {
            throw Bad(path, "extended L2 entries (subclusters) are not supported");
        }

        if ((Incompatible & IncompatCompressionType) != 0 && (headerLength < 105 || first[104] != 0))
        {
            throw Bad(path, "only zlib compression is supported");
        }

        ulong unknown = Incompatible & ~(IncompatDirty | IncompatCorrupt | IncompatCompressionType);
        for (int bit = 0; bit < 64; bit++)
        {
            if ((unknown & (1UL << bit)) != 0)
            {
                string name = names.TryGetValue((0, bit), out string? n) ? n : $"bit {bit}";
                throw Bad(path, $"unsupported incompatible feature: {name}");
            }
        }
    }

    private void CheckTables(string path, ulong fileLength)
    {
        ulong cluster = (ulong)ClusterSize;
        if (Size > (1UL << 61))
        {
            throw Bad(path, $"virtual size {Size} is too large");
        }

        ulong needed = L1EntriesFor(Size, ClusterBits);
        if (L1Size < needed)
        {
            throw Bad(path, $"L1 table of {L1Size} entries is too small for the virtual size {Size}");
        }

        if ((ulong)L1Size * 8 > MaxL1Bytes)
        {
            throw Bad(path, $"L1 table of {L1Size} entries is too large");
        }

        CheckRange(path, "L1 table", L1TableOffset, (ulong)L1Size * 8, fileLength, allowEmpty: true);
        if (RefcountTableClusters == 0 || (ulong)RefcountTableClusters * cluster > MaxRefTableBytes)
        {
            throw Bad(path, $"refcount table of {RefcountTableClusters} clusters is out of bounds");
        }

        CheckRange(path, "refcount table", RefcountTableOffset, (ulong)RefcountTableClusters * cluster, fileLength, allowEmpty: false);
    }

    private void CheckRange(string path, string what, ulong offset, ulong length, ulong fileLength, bool allowEmpty)
    {
        if (allowEmpty && length == 0)
        {
            return;
        }

        if ((offset & ((ulong)ClusterSize - 1)) != 0 || offset < (ulong)ClusterSize)
        {
            throw Bad(path, $"{what} offset 0x{offset:x} is not a cluster-aligned offset after the header");
        }

        if (offset > fileLength || length > fileLength - offset)
        {
            throw Bad(path, $"{what} at 0x{offset:x} runs past the end of the file");
        }
    }

    private static string? ReadBackingName(string path, ReadOnlySpan<byte> first)
    {
        ulong offset = Be64(first, 8);
        uint length = Be32(first, 16);
        if (offset == 0 || length == 0)
        {
            return null;
        }

        if (length > MaxBackingNameLength)
        {
            throw Bad(path, $"backing file name length {length} is above {MaxBackingNameLength}");
        }

        if (offset > (ulong)first.Length || length > (ulong)first.Length - offset)
        {
            throw Bad(path, "the backing file name lies outside the first cluster");
        }

        return Encoding.UTF8.GetString(first.Slice((int)offset, (int)length));
    }

    private static uint Be32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);

    private static ulong Be64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64BigEndian(data[offset..]);

    private static BlockException Bad(string path, string problem) => new($"Invalid qcow2 image {path}: {problem}");
}
