using System.Buffers.Binary;

namespace Kvm.Vmm.Block;

/// <summary>Growing the refcount table when the file outgrows what it covers. Holds <see cref="_gate"/>.</summary>
internal sealed partial class Qcow2Image
{
    /// <summary>
    /// Moves the refcount table to a larger one at the end of the file. The clusters it takes (the new table, and new
    /// refcount blocks for the ranges no block covers yet) are counted first: in the refcount block that already
    /// covers the start of the range, if there is one, and in the new blocks, which count themselves; then the new
    /// table is written; then the header's offset and size in one write; then the old table's clusters are freed.
    /// A refcount block that exists is kept: replacing it would lose the counts of the clusters before the range.
    /// </summary>
    private BlockStatus GrowRefTable()
    {
        ulong first = _nextFree >> _clusterBits;
        ulong perBlock = (ulong)_refBlockEntries;
        ulong entriesPerCluster = (ulong)_l2Entries;
        ulong tableClusters = Math.Max((ulong)_refTable.Length / entriesPerCluster * 2, 1);
        ulong blocks = 0;
        for (int round = 0; ; round++)
        {
            ulong end = first + tableClusters + blocks;
            ulong lastBlock = (end - 1) / perBlock;
            if (tableClusters * entriesPerCluster <= lastBlock)
            {
                tableClusters = (lastBlock + entriesPerCluster) / entriesPerCluster;
            }

            ulong needed = 0;
            for (ulong block = first / perBlock; block <= lastBlock; block++)
            {
                needed += HasRefBlock(block) ? 0UL : 1UL;
            }

            if (needed == blocks && tableClusters * entriesPerCluster > lastBlock)
            {
                break;
            }

            blocks = needed;
            if (round > 64 || tableClusters * (ulong)_clusterSize > Qcow2Header.MaxRefTableBytes)
            {
                return Fail("refcount table would grow too large", "allocate", $"{tableClusters} clusters");
            }
        }

        ulong tableOffset = first << _clusterBits;
        ulong endCluster = first + tableClusters + blocks;
        var newTable = new ulong[tableClusters * entriesPerCluster];
        _refTable.CopyTo(newTable, 0);
        ulong nextBlock = first + tableClusters;
        for (ulong blockIndex = first / perBlock; blockIndex <= (endCluster - 1) / perBlock; blockIndex++)
        {
            ulong from = Math.Max(first, blockIndex * perBlock);
            ulong to = Math.Min(endCluster, (blockIndex + 1) * perBlock);
            if (HasRefBlock(blockIndex))
            {
                if (!SetRefcounts(from, to - from, 1))
                {
                    return BlockStatus.IoError;
                }

                continue;
            }

            var content = new byte[_clusterSize];
            for (ulong c = from; c < to; c++)
            {
                SetEntry(content, (long)(c % perBlock), 1);
            }

            ulong blockOffset = nextBlock++ << _clusterBits;
            if (Check(_file.Write(blockOffset, content), "write refcount block") != BlockStatus.Ok)
            {
                return BlockStatus.IoError;
            }

            _refCache.Add(blockOffset, content);

            newTable[blockIndex] = blockOffset;
        }

        BlockStatus status = WriteTable(tableOffset, newTable, "write refcount table");
        if (status != BlockStatus.Ok)
        {
            return status;
        }

        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(header, tableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)tableClusters);
        status = Check(_file.Write(48, header), "write header refcount table fields");
        if (status != BlockStatus.Ok)
        {
            return status;
        }

        ulong oldOffset = _refTableOffset;
        ulong oldClusters = (ulong)_refTable.Length / entriesPerCluster;
        _refTable = newTable;
        _refTableOffset = tableOffset;
        _nextFree = endCluster << _clusterBits;
        for (ulong c = 0; c < oldClusters; c++)
        {
            Free(oldOffset + (c << _clusterBits));
        }

        return BlockStatus.Ok;
    }

    /// <summary>Whether the current refcount table points at a refcount block for <paramref name="blockIndex"/>.</summary>
    private bool HasRefBlock(ulong blockIndex) =>
        blockIndex < (ulong)_refTable.Length && (_refTable[blockIndex] & OffsetMask) != 0;
}
