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

        for (ulong c = first; c < runEnd; c++)
        {
            if ((_refTable[c / perBlock] & OffsetMask) != 0 && !SetRefcount(c << _clusterBits, 1))
            {
                return 0;
            }
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
        if (!TryLocate(host, out ulong fileOffset, out int byteCount, out int shift))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[8];
        if (Check(_file.Read(fileOffset, bytes[..byteCount]), "read refcount") != BlockStatus.Ok)
        {
            return false;
        }

        refcount = _refcountBits >= 8 ? ReadBigEndian(bytes[..byteCount]) : (ulong)((bytes[0] >> shift) & ((1 << _refcountBits) - 1));
        return true;
    }

    private bool SetRefcount(ulong host, ulong refcount)
    {
        if (_refcountBits < 64 && refcount >> _refcountBits != 0)
        {
            Fail("refcount overflow", "allocate", $"0x{host:x}");
            return false;
        }

        if (!TryLocate(host, out ulong fileOffset, out int byteCount, out int shift))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[8];
        if (_refcountBits >= 8)
        {
            WriteBigEndian(bytes[..byteCount], refcount);
        }
        else
        {
            if (Check(_file.Read(fileOffset, bytes[..1]), "read refcount") != BlockStatus.Ok)
            {
                return false;
            }

            int mask = ((1 << _refcountBits) - 1) << shift;
            bytes[0] = (byte)((bytes[0] & ~mask) | ((int)refcount << shift));
        }

        return Check(_file.Write(fileOffset, bytes[..byteCount]), "write refcount") == BlockStatus.Ok;
    }

    /// <summary>Where the refcount of <paramref name="host"/> lives: the bytes to read and, below 8 bits, the shift in the byte.</summary>
    private bool TryLocate(ulong host, out ulong fileOffset, out int byteCount, out int shift)
    {
        fileOffset = 0;
        shift = 0;
        byteCount = Math.Max(_refcountBits / 8, 1);
        ulong cluster = host >> _clusterBits;
        ulong blockIndex = cluster / (ulong)_refBlockEntries;
        if (blockIndex >= (ulong)_refTable.Length)
        {
            Fail("cluster beyond the refcount table", "refcount", $"0x{host:x}");
            return false;
        }

        ulong block = _refTable[blockIndex] & OffsetMask;
        if (block == 0 || (block & (ulong)(_clusterSize - 1)) != 0)
        {
            Fail("missing or unaligned refcount block", "refcount", $"0x{host:x}");
            return false;
        }

        ulong bitIndex = (cluster % (ulong)_refBlockEntries) * (ulong)_refcountBits;
        fileOffset = block + bitIndex / 8;
        shift = (int)(bitIndex % 8);
        return true;
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
            block[(int)(bit / 8)] |= (byte)(value << (int)(bit % 8));
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
