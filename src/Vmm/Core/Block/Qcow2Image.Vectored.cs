using System.Buffers;
using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Block;

/// <summary>
/// Vectored reads and writes (a request's guest segments): the guest range is walked cluster by cluster, runs of data
/// clusters that lie one after another in the file go to the file as one preadv or pwritev over the segments that
/// cover them, and everything else (zero, unallocated, compressed, not yet allocated) takes the one-piece path.
/// </summary>
internal sealed unsafe partial class Qcow2Image
{
    public BlockStatus ReadVectored(ulong offset, Span<IoVector> vectors) => Vectored(offset, vectors, write: false);

    public BlockStatus WriteVectored(ulong offset, Span<IoVector> vectors)
    {
        return ReadOnly ? BlockStatus.Unsupported : Vectored(offset, vectors, write: true);
    }

    public int TryMapDirect(ulong offset, ulong length, bool write, Span<DirectExtent> extents, out ImageFile file)
    {
        file = _file;
        if (!_file.Direct || (write && ReadOnly) || length == 0 || !InRange(offset, length))
        {
            return 0;
        }

        int count = 0;
        lock (_gate)
        {
            // Every cluster of the range must be plain data of this image (owned, for a write); clusters stored one
            // after another make one extent.
            ulong at = 0;
            while (at < length)
            {
                ulong inCluster = (offset + at) & (ulong)(_clusterSize - 1);
                ulong take = Math.Min(length - at, (ulong)_clusterSize - inCluster);
                var mapping = Map(offset + at);
                if (mapping.Kind != ClusterKind.Data || (write && !mapping.Owned))
                {
                    return 0;
                }

                ulong host = mapping.HostOffset + inCluster;
                if (count > 0 && extents[count - 1].HostOffset + extents[count - 1].Length == host)
                {
                    extents[count - 1] = extents[count - 1] with { Length = extents[count - 1].Length + take };
                }
                else if (count == extents.Length)
                {
                    return 0;
                }
                else
                {
                    extents[count++] = new DirectExtent(host, take);
                }

                at += take;
            }
        }

        return count;
    }

    private BlockStatus Vectored(ulong offset, Span<IoVector> vectors, bool write)
    {
        ulong total = 0;
        foreach (var vector in vectors)
        {
            total += vector.Length;
        }

        if (!InRange(offset, total))
        {
            return BlockStatus.OutOfRange;
        }

        IoVector[] scratch = ArrayPool<IoVector>.Shared.Rent(vectors.Length);
        try
        {
            var rest = vectors;
            while (total > 0)
            {
                int inCluster = (int)(offset & (ulong)(_clusterSize - 1));
                ulong chunk = Math.Min(total, (ulong)(_clusterSize - inCluster));
                ClusterMapping mapping;
                bool fresh = false;
                lock (_gate)
                {
                    mapping = Map(offset);
                    if (mapping.Kind == ClusterKind.Data && (!write || mapping.Owned))
                    {
                        // Following clusters stored right after this one (and, for a write, owned) join the run.
                        while (chunk < total && Map(offset + chunk) is { Kind: ClusterKind.Data } next
                            && (!write || next.Owned) && next.HostOffset == mapping.HostOffset + (ulong)inCluster + chunk)
                        {
                            chunk += Math.Min(total - chunk, (ulong)_clusterSize);
                        }
                    }
                    else if (write && inCluster == 0 && chunk == (ulong)_clusterSize && IsFresh(mapping))
                    {
                        // Whole clusters never written (in the same L2 table) are allocated as one run.
                        fresh = true;
                        while (chunk + (ulong)_clusterSize <= total && ((offset + chunk) >> L1Shift) == (offset >> L1Shift)
                            && IsFresh(Map(offset + chunk)))
                        {
                            chunk += (ulong)_clusterSize;
                        }
                    }
                }

                int count = IoVector.Take(ref rest, chunk, scratch);
                var piece = scratch.AsSpan(0, count);
                BlockStatus status;
                if (mapping.Kind == ClusterKind.Data && (!write || mapping.Owned))
                {
                    ulong host = mapping.HostOffset + (ulong)inCluster;
                    status = Check(write ? _file.WriteVectored(host, piece) : _file.ReadVectored(host, piece), write ? "write data" : "read data");
                }
                else if (fresh)
                {
                    status = WriteFreshRun(offset, piece, (int)(chunk >> _clusterBits));
                }
                else
                {
                    status = write ? WriteGathered(offset, piece, (int)chunk) : ReadPieces(mapping, offset, piece);
                }

                if (status != BlockStatus.Ok)
                {
                    return status;
                }

                offset += chunk;
                total -= chunk;
            }

            return BlockStatus.Ok;
        }
        finally
        {
            ArrayPool<IoVector>.Shared.Return(scratch);
        }
    }

    /// <summary>A cluster whose old content does not matter when it is overwritten whole: never written, or reading as zeroes with no host cluster.</summary>
    private static bool IsFresh(ClusterMapping mapping) => mapping.Kind == ClusterKind.Unallocated || mapping is { Kind: ClusterKind.Zero, HostOffset: 0 };

    /// <summary>
    /// Writes <paramref name="count"/> whole fresh clusters (see <see cref="IsFresh"/>) of one L2 table: a run of new
    /// clusters is counted in the refcounts, the data goes there in one vectored write (outside the metadata lock, so
    /// other requests go on meanwhile), then the L2 entries name the run in one write. A crash in between leaks the
    /// run at most; a concurrent write of the same clusters (the guest's own race) leaves one of the two and leaks
    /// the other.
    /// </summary>
    private BlockStatus WriteFreshRun(ulong offset, Span<IoVector> piece, int count)
    {
        BlockStatus status;
        ulong host;
        lock (_gate)
        {
            status = ReserveFreshRun(offset, count, out host);
        }

        if (status == BlockStatus.Unsupported)
        {
            // Some were written meanwhile by another request: cluster by cluster, the way that keeps what is there.
            return WriteGatheredClusters(offset, piece, count);
        }

        if (status == BlockStatus.Ok)
        {
            status = Check(_file.WriteVectored(host, piece), "write new data clusters");
        }

        if (status != BlockStatus.Ok)
        {
            return status; // a run already counted is leaked: nothing names it
        }

        lock (_gate)
        {
            // The table may have left the cache meanwhile: look it up again (it is this image's own by now).
            status = EnsureL2(offset, out ulong[] table, out ulong l2Offset);
            if (status == BlockStatus.Ok)
            {
                int first = (int)((offset >> _clusterBits) & (ulong)(_l2Entries - 1));
                status = SetL2Entries(table, l2Offset, first, count, host | Copied, (ulong)_clusterSize);
            }
        }

        return status;
    }

    /// <summary>
    /// Checks the clusters are still fresh (Unsupported when not), makes their L2 table this image's own and counts a
    /// run of new clusters for them. Holds <see cref="_gate"/>.
    /// </summary>
    private BlockStatus ReserveFreshRun(ulong offset, int count, out ulong host)
    {
        host = 0;
        for (int i = 0; i < count; i++)
        {
            if (!IsFresh(Map(offset + ((ulong)i << _clusterBits))))
            {
                return BlockStatus.Unsupported;
            }
        }

        BlockStatus status = EnsureL2(offset, out _, out _);
        if (status != BlockStatus.Ok)
        {
            return status;
        }

        host = AllocateRun(count);
        return host == 0 ? BlockStatus.IoError : BlockStatus.Ok;
    }

    /// <summary>Whole clusters through the one-cluster allocating write, each gathered from its part of the vectors.</summary>
    private BlockStatus WriteGatheredClusters(ulong offset, Span<IoVector> piece, int count)
    {
        var rest = piece;
        IoVector[] scratch = ArrayPool<IoVector>.Shared.Rent(piece.Length);
        try
        {
            for (int i = 0; i < count; i++)
            {
                int used = IoVector.Take(ref rest, (ulong)_clusterSize, scratch);
                BlockStatus status = WriteGathered(offset + ((ulong)i << _clusterBits), scratch.AsSpan(0, used), _clusterSize);
                if (status != BlockStatus.Ok)
                {
                    return status;
                }
            }

            return BlockStatus.Ok;
        }
        finally
        {
            ArrayPool<IoVector>.Shared.Return(scratch);
        }
    }

    /// <summary>A piece of one cluster that is not plain data: each segment through the one-piece read of its kind.</summary>
    private BlockStatus ReadPieces(ClusterMapping mapping, ulong offset, Span<IoVector> piece)
    {
        foreach (var vector in piece)
        {
            BlockStatus status = ReadMapped(mapping, offset, new Span<byte>(vector.Base, (int)vector.Length));
            if (status != BlockStatus.Ok)
            {
                return status;
            }

            offset += vector.Length;
        }

        return BlockStatus.Ok;
    }

    /// <summary>A write into one cluster that needs allocating (or copying): the segments gathered, then the one-piece write.</summary>
    private BlockStatus WriteGathered(ulong offset, Span<IoVector> piece, int length)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int at = 0;
            foreach (var vector in piece)
            {
                new ReadOnlySpan<byte>(vector.Base, (int)vector.Length).CopyTo(buffer.AsSpan(at));
                at += (int)vector.Length;
            }

            return Write(offset, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
