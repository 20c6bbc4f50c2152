using System.Buffers.Binary;

namespace Kvm.Vmm.Block;

/// <summary>Write-zeroes, discard and resize.</summary>
internal sealed partial class Qcow2Image
{
    private static readonly byte[] s_zeroCluster = new byte[2 << 20];

    /// <summary>With discard='unmap', frees the range's clusters (they then read as zeroes); otherwise ignores the hint.</summary>
    public BlockStatus Discard(ulong offset, ulong length)
    {
        if (ReadOnly)
        {
            return BlockStatus.Unsupported;
        }

        if (!InRange(offset, length))
        {
            return BlockStatus.OutOfRange;
        }

        return SupportsDiscard ? WriteZeroes(offset, length, mayUnmap: true) : BlockStatus.Ok;
    }

    /// <summary>
    /// Whole clusters: v3 sets the zero flag (keeping the host cluster unless <paramref name="mayUnmap"/>); v2 without a
    /// backing file clears the entry when it may unmap. Partial clusters and the other cases write zeroes.
    /// </summary>
    public BlockStatus WriteZeroes(ulong offset, ulong length, bool mayUnmap)
    {
        if (ReadOnly)
        {
            return BlockStatus.Unsupported;
        }

        if (!InRange(offset, length))
        {
            return BlockStatus.OutOfRange;
        }

        while (length > 0)
        {
            int inCluster = (int)(offset & (ulong)(_clusterSize - 1));
            int chunk = (int)Math.Min(length, (ulong)(_clusterSize - inCluster));
            BlockStatus status;
            bool whole = chunk == _clusterSize;
            if (whole && (_version == 3 || (_backing is null && mayUnmap)))
            {
                lock (_gate)
                {
                    status = ZeroCluster(offset, mayUnmap);
                }
            }
            else
            {
                status = Write(offset, s_zeroCluster.AsSpan(0, chunk));
            }

            if (status != BlockStatus.Ok)
            {
                return status;
            }

            offset += (ulong)chunk;
            length -= (ulong)chunk;
        }

        return BlockStatus.Ok;
    }

    /// <summary>Grows the disk: a larger L1 table when needed (written, then the header points at it), then the size.</summary>
    public BlockStatus Resize(ulong newSize)
    {
        if (ReadOnly)
        {
            return BlockStatus.Unsupported;
        }

        if (newSize % 512 != 0 || newSize > 1UL << 61)
        {
            return BlockStatus.OutOfRange;
        }

        lock (_gate)
        {
            if (newSize < _size)
            {
                return BlockStatus.Unsupported;
            }

            ulong needed = Qcow2Header.L1EntriesFor(newSize, _clusterBits);
            if (needed * 8 > Qcow2Header.MaxL1Bytes)
            {
                return BlockStatus.OutOfRange;
            }

            if (needed > (ulong)_l1.Length)
            {
                BlockStatus grown = GrowL1((int)needed);
                if (grown != BlockStatus.Ok)
                {
                    return grown;
                }
            }

            Span<byte> size = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(size, newSize);
            BlockStatus status = Check(_file.Write(24, size), "write header size");
            if (status == BlockStatus.Ok)
            {
                Volatile.Write(ref _size, newSize);
            }

            return status;
        }
    }

    private BlockStatus ZeroCluster(ulong offset, bool mayUnmap)
    {
        ClusterMapping old = Map(offset);
        bool readsZero = old.Kind == ClusterKind.Zero || (old.Kind == ClusterKind.Unallocated && _backing is null);
        if (readsZero && (!mayUnmap || old.HostOffset == 0))
        {
            return BlockStatus.Ok;
        }

        if (old.Kind == ClusterKind.Corrupt)
        {
            return Fail("corrupt L2 entry", "write zeroes", $"0x{old.Entry:x}");
        }

        BlockStatus status = EnsureL2(offset, out ulong[] table, out ulong l2Offset);
        if (status != BlockStatus.Ok)
        {
            return status;
        }

        bool keep = !mayUnmap && old.Owned && old.HostOffset != 0 && old.Kind is ClusterKind.Data or ClusterKind.Zero;
        ulong entry = _version == 2 ? 0 : keep ? old.HostOffset | Copied | ZeroFlag : ZeroFlag;
        status = SetL2Entry(table, l2Offset, offset, entry);
        if (status == BlockStatus.Ok && !keep)
        {
            ReleaseOld(old);
        }

        return status;
    }

    private BlockStatus GrowL1(int entries)
    {
        var table = new ulong[entries];
        _l1.CopyTo(table, 0);
        int clusters = (entries * 8 + _clusterSize - 1) / _clusterSize;
        ulong start = AllocateRun(clusters);

        if (start == 0)
        {
            return Fail("no room for a larger L1 table", "resize", $"{entries} entries");
        }

        var padded = new ulong[clusters * _l2Entries];
        table.CopyTo(padded, 0);
        BlockStatus status = WriteTable(start, padded, "write new L1 table");
        if (status != BlockStatus.Ok)
        {
            return status;
        }

        Span<byte> fields = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(fields, (uint)entries);
        BinaryPrimitives.WriteUInt64BigEndian(fields[4..], start);
        status = Check(_file.Write(36, fields), "write header L1 fields");
        if (status != BlockStatus.Ok)
        {
            return status;
        }

        ulong oldOffset = _l1Offset;
        int oldClusters = (_l1.Length * 8 + _clusterSize - 1) / _clusterSize;
        _l1 = table;
        _l1Offset = start;
        for (int c = 0; c < oldClusters && oldOffset != 0; c++)
        {
            Free(oldOffset + ((ulong)c << _clusterBits));
        }

        return BlockStatus.Ok;
    }
}
