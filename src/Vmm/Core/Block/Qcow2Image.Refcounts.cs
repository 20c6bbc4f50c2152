namespace Kvm.Vmm.Block;

/// <summary>
/// The refcount side: reading and writing single refcount entries of any width (1 to 64 bits; below 8 bits the
/// entries fill each byte from its least significant bit), appending clusters at the end of the file, new refcount
/// blocks, and growing the refcount table. Everything here holds <see cref="_gate"/>.
/// </summary>
internal sealed partial class Qcow2Image
{
    private const int MaxAllocationProbes = 1 << 16;

    private readonly int _refcountBits;
    private readonly long _refBlockEntries;
    private ulong[] _refTable;
    private ulong _refTableOffset;
    private ulong _nextFree;

    /// <summary>Takes one cluster at the end of the file; see <see cref="AllocateRun"/>.</summary>
    private ulong AllocateCluster() => AllocateRun(1);

    /// <summary>
    /// Takes <paramref name="count"/> adjacent clusters at the end of the file and sets their refcounts to 1 before
    /// anything refers to them: first in the refcount blocks that exist, then new refcount blocks placed right after
    /// the run (counting the run and themselves) are written whole, then the refcount table entries that point at
    /// them. Returns the run's offset, or 0 when the refcount structures are corrupt or the file cannot be written.
    /// </summary>
    private ulong AllocateRun(int count)
    {
        ulong perBlock = (ulong)_refBlockEntries;
        for (int attempt = 0; attempt < MaxAllocationProbes; attempt++)
        {
            ulong first = _nextFree >> _clusterBits;
            ulong runEnd = first + (ulong)count;
            ulong newBlocks = 0;
            ulong end;
            bool grow = false;
            while (true)
            {
                end = runEnd + newBlocks;
                ulong missing = 0;
                for (ulong block = first / perBlock; block <= (end - 1) / perBlock; block++)
                {
                    if (block >= (ulong)_refTable.Length)
                    {
                        grow = true;
                        break;
                    }

                    missing += (_refTable[block] & OffsetMask) == 0 ? 1UL : 0;
                }

                if (grow || missing == newBlocks)
                {
                    break;
                }

                newBlocks = missing;
            }

            if (grow)
            {
                if (GrowRefTable() != BlockStatus.Ok)
                {
                    return 0;
                }

                continue;
            }

            ulong taken = TakeRun(first, runEnd, end);
            if (taken == ulong.MaxValue)
            {
                continue; // A cluster past the end of the file was counted already: start after it.
            }

            return taken;
        }

        Fail("no free clusters found", "allocate", $"after 0x{_nextFree:x}");
        return 0;
    }

    /// <summary>Sets the refcounts of clusters [first, runEnd) and writes the new blocks at [runEnd, end); see <see cref="AllocateRun"/>.</summary>
    private ulong TakeRun(ulong first, ulong runEnd, ulong end)
    {
        ulong perBlock = (ulong)_refBlockEntries;
        for (ulong c = first; c < runEnd; c++)
        {
            if ((_refTable[c / perBlock] & OffsetMask) == 0)
            {
                continue;
            }

            if (!TryGetRefcount(c << _clusterBits, out ulong refcount))
            {
                return 0;
            }

            if (refcount != 0)
            {
                _nextFree = (c + 1) << _clusterBits;
                return ulong.MaxValue;
            }
        }

        var placed = new List<(ulong Index, ulong Offset)>();
        ulong next = runEnd;
        for (ulong block = first / perBlock; block <= (end - 1) / perBlock; block++)
        {
            if ((_refTable[block] & OffsetMask) == 0)
            {
                placed.Add((block, next++ << _clusterBits));
            }
        }

        for (ulong c = first; c < runEnd;)
        {
            // The run's clusters counted in blocks that exist: one write per block.
            ulong blockEnd = Math.Min((c / perBlock + 1) * perBlock, runEnd);
            if ((_refTable[c / perBlock] & OffsetMask) != 0 && !SetRefcounts(c, blockEnd - c, 1))
            {
                return 0;
            }

            c = blockEnd;
        }

        foreach ((ulong index, ulong offset) in placed)
        {
            var content = new byte[_clusterSize];
            for (ulong c = Math.Max(first, index * perBlock); c < end && c / perBlock == index; c++)
            {
                SetEntry(content, (long)(c % perBlock), 1);
            }

            if (Check(_file.Write(offset, content), "write new refcount block") != BlockStatus.Ok)
            {
                return 0;
            }

            _refCache.Add(offset, content);
        }

        foreach ((ulong index, ulong offset) in placed)
        {
            if (WriteEntry(_refTableOffset + index * 8, offset, "write refcount table entry") != BlockStatus.Ok)
            {
                return 0;
            }

            _refTable[index] = offset;
        }

        _nextFree = end << _clusterBits;
        return first << _clusterBits;
    }

    /// <summary>Lowers a cluster's refcount by one; at zero the space is punched out when discards unmap.</summary>
    private void Free(ulong host)
    {
        if (!TryGetRefcount(host, out ulong refcount))
        {
            return;
        }

        if (refcount == 0)
        {
            Fail("refcount underflow", "free", $"0x{host:x}");
            return;
        }

        if (SetRefcount(host, refcount - 1) && refcount == 1 && SupportsDiscard)
        {
            _file.PunchHole(host, (ulong)_clusterSize);
        }
    }

    private bool TryGetRefcount(ulong host, out ulong refcount)
    {
        refcount = 0;
        byte[]? block = RefcountBlockOf(host >> _clusterBits, out _, out long index);
        if (block is null)
        {
            return false;
        }

        refcount = GetEntry(block, index);
        return true;
    }

    private bool SetRefcount(ulong host, ulong refcount) => SetRefcounts(host >> _clusterBits, 1, refcount);

    /// <summary>
    /// Sets the refcounts of <paramref name="count"/> clusters from <paramref name="firstCluster"/> (their refcount
    /// blocks exist) to <paramref name="refcount"/>: in the cached blocks, then one write per block of the aligned
    /// window that changed. A failed write puts the cached entries back, so the cache never says what the file does not.
    /// </summary>
    private bool SetRefcounts(ulong firstCluster, ulong count, ulong refcount)
    {
        if (_refcountBits < 64 && refcount >> _refcountBits != 0)
        {
            Fail("refcount overflow", "allocate", $"0x{firstCluster << _clusterBits:x}");
            return false;
        }

        ulong cluster = firstCluster;
        ulong end = firstCluster + count;
        while (cluster < end)
        {
            byte[]? block = RefcountBlockOf(cluster, out ulong blockOffset, out long first);
            if (block is null)
            {
                return false;
            }

            long last = Math.Min((long)(end - cluster) + first, _refBlockEntries);
            int from = (int)(first * _refcountBits / 8);
            int to = (int)((last * _refcountBits + 7) / 8);
            byte[] saved = block[from..to];
            for (long i = first; i < last; i++)
            {
                SetEntry(block, i, refcount);
            }

            if (WriteWindow(blockOffset, block, from, to, "write refcount") != BlockStatus.Ok)
            {
                saved.CopyTo(block, from);
                return false;
            }

            cluster += (ulong)(last - first);
        }

        return true;
    }

    /// <summary>
    /// The refcount block holding cluster <paramref name="cluster"/>'s entry (from the cache, or read whole), its file
    /// offset and the entry's index in it; null when the table has no valid block there.
    /// </summary>
    private byte[]? RefcountBlockOf(ulong cluster, out ulong blockOffset, out long index)
    {
        index = (long)(cluster % (ulong)_refBlockEntries);
        blockOffset = 0;
        ulong blockIndex = cluster / (ulong)_refBlockEntries;
        if (blockIndex >= (ulong)_refTable.Length)
        {
            Fail("cluster beyond the refcount table", "refcount", $"0x{cluster << _clusterBits:x}");
            return null;
        }

        blockOffset = _refTable[blockIndex] & OffsetMask;
        if (blockOffset == 0 || (blockOffset & (ulong)(_clusterSize - 1)) != 0)
        {
            Fail("missing or unaligned refcount block", "refcount", $"0x{cluster << _clusterBits:x}");
            return null;
        }

        if (_refCache.Find(blockOffset) is { } cached)
        {
            return cached;
        }

        var block = new byte[_clusterSize];
        if (Check(_file.Read(blockOffset, block), "read refcount block") != BlockStatus.Ok)
        {
            return null;
        }

        _refCache.Add(blockOffset, block);
        return block;
    }

    /// <summary>
    /// Writes bytes [<paramref name="from"/>, <paramref name="to"/>) of a cached table at <paramref name="tableOffset"/>
    /// widened to whole aligned blocks of the file (4 KiB, or the cluster when smaller), so that an O_DIRECT image
    /// takes it without reading anything back.
    /// </summary>
    private BlockStatus WriteWindow(ulong tableOffset, ReadOnlySpan<byte> table, int from, int to, string operation)
    {
        int unit = Math.Min(ImageFile.Alignment, _clusterSize);
        int start = from / unit * unit;
        int end = Math.Min((to + unit - 1) / unit * unit, table.Length);
        return Check(_file.Write(tableOffset + (ulong)start, table[start..end]), operation);
    }

    private ulong GetEntry(ReadOnlySpan<byte> block, long index)
    {
        long bit = index * _refcountBits;
        return _refcountBits >= 8
            ? ReadBigEndian(block.Slice((int)(bit / 8), _refcountBits / 8))
            : (ulong)((block[(int)(bit / 8)] >> (int)(bit % 8)) & ((1 << _refcountBits) - 1));
    }

    /// <summary>Sets entry <paramref name="index"/> of a refcount block held in memory.</summary>
    private void SetEntry(Span<byte> block, long index, ulong value)
    {
        long bit = index * _refcountBits;
        if (_refcountBits >= 8)
        {
            WriteBigEndian(block.Slice((int)(bit / 8), _refcountBits / 8), value);
        }
        else
        {
            int shift = (int)(bit % 8);
            int mask = ((1 << _refcountBits) - 1) << shift;
            block[(int)(bit / 8)] = (byte)((block[(int)(bit / 8)] & ~mask) | (((int)value << shift) & mask));
        }
    }

    private static ulong ReadBigEndian(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static void WriteBigEndian(Span<byte> bytes, ulong value)
    {
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }
    }
}
