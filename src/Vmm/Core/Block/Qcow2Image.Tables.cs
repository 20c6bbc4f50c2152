using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Kvm.Vmm.Block;

/// <summary>The L1/L2 side: lookups, the L2 cache, new L2 tables, allocating writes and compressed clusters.</summary>
internal sealed partial class Qcow2Image
{
    private const ulong OffsetMask = 0x00ff_ffff_ffff_fe00; // bits 9..55
    private const ulong Copied = 1UL << 63; // refcount is exactly one
    private const ulong CompressedFlag = 1UL << 62;
    private const ulong ZeroFlag = 1UL; // v3 standard cluster descriptor bit 0

    private ulong[] _l1;
    private ulong _l1Offset;

    private int L1Shift => _clusterBits + _clusterBits - 3;

    /// <summary>Decodes the mapping of the guest cluster holding <paramref name="offset"/>. Holds <see cref="_gate"/>.</summary>
    private ClusterMapping Map(ulong offset)
    {
        ulong l1Index = offset >> L1Shift;
        if (l1Index >= (ulong)_l1.Length)
        {
            return new ClusterMapping(ClusterKind.Corrupt, 0, 0, false);
        }

        ulong l2Offset = _l1[l1Index] & OffsetMask;
        if (l2Offset == 0)
        {
            return new ClusterMapping(ClusterKind.Unallocated, 0, 0, false);
        }

        ulong[]? table = GetL2(l2Offset);
        if (table is null)
        {
            return new ClusterMapping(ClusterKind.Corrupt, 0, 0, false);
        }

        return Decode(table[(int)((offset >> _clusterBits) & (ulong)(_l2Entries - 1))]);
    }

    private ClusterMapping Decode(ulong entry)
    {
        bool owned = (entry & Copied) != 0;
        if ((entry & CompressedFlag) != 0)
        {
            return new ClusterMapping(ClusterKind.Compressed, 0, entry, false);
        }

        ulong host = entry & OffsetMask;
        if ((entry & ZeroFlag) != 0)
        {
            return _version == 2 ? new ClusterMapping(ClusterKind.Corrupt, 0, entry, false) : new ClusterMapping(ClusterKind.Zero, host, entry, owned && host != 0);
        }

        if (host == 0)
        {
            return new ClusterMapping(ClusterKind.Unallocated, 0, entry, false);
        }

        if ((host & (ulong)(_clusterSize - 1)) != 0 || (entry & 0x1fe) != 0)
        {
            return new ClusterMapping(ClusterKind.Corrupt, 0, entry, false);
        }

        return new ClusterMapping(ClusterKind.Data, host, entry, owned);
    }

    /// <summary>The L2 table at <paramref name="offset"/>, from the cache or the file; null when the offset is invalid or unreadable.</summary>
    private ulong[]? GetL2(ulong offset)
    {
        if ((offset & (ulong)(_clusterSize - 1)) != 0 || offset < (ulong)_clusterSize)
        {
            Fail("unaligned L2 table offset", "lookup", $"0x{offset:x}");
            return null;
        }

        if (_l2Cache.Find(offset) is { } cached)
        {
            return cached;
        }

        var table = new ulong[_l2Entries];
        if (Check(_file.Read(offset, MemoryMarshal.AsBytes(table.AsSpan())), "read L2 table") != BlockStatus.Ok)
        {
            return null;
        }

        ToHostOrder(table);
        _l2Cache.Add(offset, table);
        return table;
    }

    /// <summary>
    /// Makes the L2 table covering <paramref name="offset"/> one this image owns, allocating it if needed: refcount,
    /// then the table's content, then the L1 entry. Holds <see cref="_gate"/>.
    /// </summary>
    private BlockStatus EnsureL2(ulong offset, out ulong[] table, out ulong l2Offset)
    {
        table = [];
        ulong l1Index = offset >> L1Shift;
        ulong entry = _l1[l1Index];
        l2Offset = entry & OffsetMask;
        if (l2Offset != 0 && (entry & Copied) != 0)
        {
            ulong[]? existing = GetL2(l2Offset);
            if (existing is null)
            {
                return BlockStatus.IoError;
            }

            table = existing;
            return BlockStatus.Ok;
        }

        var fresh = new ulong[_l2Entries];
        if (l2Offset != 0)
        {
            // A shared table (a snapshot's, or an image without COPIED): copy it, its clusters become copy-on-write.
            ulong[]? shared = GetL2(l2Offset);
            if (shared is null)
            {
                return BlockStatus.IoError;
            }

            for (int i = 0; i < fresh.Length; i++)
            {
                fresh[i] = shared[i] & ~Copied;
            }
        }

        ulong newOffset = AllocateCluster();
        if (newOffset == 0)
        {
            return BlockStatus.IoError;
        }

        BlockStatus status = WriteTable(newOffset, fresh, "write new L2 table");
        if (status == BlockStatus.Ok)
        {
            status = WriteEntry(_l1Offset + l1Index * 8, newOffset | Copied, "write L1 entry");
        }

        if (status != BlockStatus.Ok)
        {
            return status;
        }

        _l1[l1Index] = newOffset | Copied;
        _l2Cache.Add(newOffset, fresh);
        table = fresh;
        l2Offset = newOffset;
        return BlockStatus.Ok;
    }

    /// <summary>
    /// Writes a piece of one cluster that is not an owned data cluster: a fresh cluster gets the old content (backing,
    /// zeroes, decompressed) with the piece laid over it, then the L2 entry moves to it. Holds <see cref="_gate"/>.
    /// </summary>
    private BlockStatus WriteAllocating(ulong offset, ReadOnlySpan<byte> piece)
    {
        ClusterMapping old = Map(offset);
        int inCluster = (int)(offset & (ulong)(_clusterSize - 1));
        if (old is { Kind: ClusterKind.Data, Owned: true })
        {
            return Check(_file.Write(old.HostOffset + (ulong)inCluster, piece), "write data");
        }

        if (old.Kind == ClusterKind.Corrupt)
        {
            return Fail("corrupt L2 entry", "write", $"0x{old.Entry:x}");
        }

        BlockStatus status = EnsureL2(offset, out ulong[] table, out ulong l2Offset);
        if (status != BlockStatus.Ok)
        {
            return status;
        }

        ulong clusterStart = offset & ~(ulong)(_clusterSize - 1);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_clusterSize);
        try
        {
            var cluster = buffer.AsSpan(0, _clusterSize);
            if (piece.Length < _clusterSize)
            {
                status = ReadMapped(old, clusterStart, cluster);
                if (status != BlockStatus.Ok)
                {
                    return status;
                }
            }

            piece.CopyTo(cluster[inCluster..]);
            ulong host = AllocateCluster();
            if (host == 0)
            {
                return BlockStatus.IoError;
            }

            status = Check(_file.Write(host, cluster), "write new data cluster");
            if (status == BlockStatus.Ok)
            {
                status = SetL2Entry(table, l2Offset, offset, host | Copied);
            }

            if (status == BlockStatus.Ok)
            {
                ReleaseOld(old);
            }

            return status;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Drops this image's reference to a cluster no L2 entry names any more (after the entry is rewritten).</summary>
    private void ReleaseOld(ClusterMapping old)
    {
        if (old.Kind == ClusterKind.Compressed)
        {
            (ulong start, int length) = CompressedRange(old.Entry);
            for (ulong host = start & ~(ulong)(_clusterSize - 1); host < start + (ulong)length; host += (ulong)_clusterSize)
            {
                Free(host);
            }
        }
        else if (old.Owned && old.HostOffset != 0)
        {
            Free(old.HostOffset);
        }
    }

    private BlockStatus SetL2Entry(ulong[] table, ulong l2Offset, ulong guestOffset, ulong value) =>
        SetL2Entries(table, l2Offset, (int)((guestOffset >> _clusterBits) & (ulong)(_l2Entries - 1)), 1, value, 0);

    /// <summary>
    /// Sets <paramref name="count"/> entries of a cached L2 table from <paramref name="first"/> to
    /// <paramref name="value"/>, <paramref name="value"/> + <paramref name="step"/>, ... (a run of new clusters), then
    /// writes the aligned window of the table that holds them, from the cache (no read back). A failed write puts
    /// the cached entries back.
    /// </summary>
    private BlockStatus SetL2Entries(ulong[] table, ulong l2Offset, int first, int count, ulong value, ulong step)
    {
        ulong[] saved = table[first..(first + count)];
        for (int i = 0; i < count; i++)
        {
            table[first + i] = value + ((ulong)i * step);
        }

        int unit = Math.Min(ImageFile.Alignment, _clusterSize) / 8;
        int start = first / unit * unit;
        int end = Math.Min((first + count + unit - 1) / unit * unit, table.Length);
        byte[] bytes = ArrayPool<byte>.Shared.Rent((end - start) * 8);
        try
        {
            for (int i = start; i < end; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan((i - start) * 8), table[i]);
            }

            BlockStatus status = Check(_file.Write(l2Offset + ((ulong)start * 8), bytes.AsSpan(0, (end - start) * 8)), "write L2 entries");
            if (status != BlockStatus.Ok)
            {
                saved.CopyTo(table, first);
            }

            return status;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private BlockStatus WriteEntry(ulong fileOffset, ulong value, string operation)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return Check(_file.Write(fileOffset, bytes), operation);
    }

    private BlockStatus WriteTable(ulong fileOffset, ReadOnlySpan<ulong> entries, string operation)
    {
        byte[] bytes = new byte[entries.Length * 8];
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * 8), entries[i]);
        }

        return Check(_file.Write(fileOffset, bytes), operation);
    }

    /// <summary>A table of big-endian u64 entries read at open (L1, refcount table); its bounds were checked against the file.</summary>
    private ulong[] LoadTable(ulong offset, int entries, string what)
    {
        var table = new ulong[entries];
        int result = _file.Read(offset, MemoryMarshal.AsBytes(table.AsSpan()));
        if (result != 0)
        {
            throw new BlockException($"Cannot read the {what} of {_file.Path}: {Interop.Libc.ErrorText(-result)}");
        }

        ToHostOrder(table);
        return table;
    }

    private static void ToHostOrder(Span<ulong> table)
    {
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReverseEndianness(table[i]);
        }
    }
}
