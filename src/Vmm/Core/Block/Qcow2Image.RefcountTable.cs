using System.Buffers.Binary;

namespace Kvm.Vmm.Block;

/// <summary>Growing the refcount table when the file outgrows what it covers. Holds <see cref="_gate"/>.</summary>
internal sealed partial class Qcow2Image
{
    /// <summary>
    /// Moves the refcount table to a larger one at the end of the file. The new table, and the refcount blocks that
    /// count it and themselves, are written first; then the header's offset and size in one write; then the old
    /// table's clusters are freed.
    /// </summary>
    private BlockStatus GrowRefTable()
    {
        ulong first = _nextFree >> _clusterBits;
        ulong entriesPerCluster = (ulong)_l2Entries;
        ulong tableClusters = Math.Max((ulong)_refTable.Length / entriesPerCluster * 2, 1);
        ulong blocks = 0;
        for (int round = 0; ; round++)
        {
            ulong end = first + tableClusters + blocks;
            ulong lastBlock = (end - 1) / (ulong)_refBlockEntries;
            if (tableClusters * entriesPerCluster <= lastBlock)
            {
                tableClusters = (lastBlock + entriesPerCluster) / entriesPerCluster;
            }

            ulong needed = lastBlock - first / (ulong)_refBlockEntries + 1;
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

        ulong firstBlockIndex = first / (ulong)_refBlockEntries;
        ulong tableOffset = first << _clusterBits;
        ulong blocksOffset = tableOffset + (tableClusters << _clusterBits);
        ulong endCluster = first + tableClusters + blocks;
        var newTable = new ulong[tableClusters * entriesPerCluster];
        _refTable.CopyTo(newTable, 0);
        for (ulong b = 0; b < blocks; b++)
        {
            var content = new byte[_clusterSize];
            ulong blockIndex = firstBlockIndex + b;
            for (ulong c = Math.Max(first, blockIndex * (ulong)_refBlockEntries); c < endCluster && c / (ulong)_refBlockEntries == blockIndex; c++)
            {
                SetEntry(content, (long)(c % (ulong)_refBlockEntries), 1);
            }

            ulong blockOffset = blocksOffset + (b << _clusterBits);
            if (Check(_file.Write(blockOffset, content), "write refcount block") != BlockStatus.Ok)
            {
                return BlockStatus.IoError;
            }

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
}
