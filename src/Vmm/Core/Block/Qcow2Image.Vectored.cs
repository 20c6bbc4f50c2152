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
                }

                int count = Take(ref rest, chunk, scratch);
                var piece = scratch.AsSpan(0, count);
                BlockStatus status;
                if (mapping.Kind == ClusterKind.Data && (!write || mapping.Owned))
                {
                    ulong host = mapping.HostOffset + (ulong)inCluster;
                    status = Check(write ? _file.WriteVectored(host, piece) : _file.ReadVectored(host, piece), write ? "write data" : "read data");
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

    /// <summary>
    /// Copies into <paramref name="scratch"/> the vectors that cover the next <paramref name="length"/> bytes of
    /// <paramref name="rest"/> (the last one cut to fit) and moves <paramref name="rest"/> past them.
    /// </summary>
    private static int Take(ref Span<IoVector> rest, ulong length, IoVector[] scratch)
    {
        int count = 0;
        while (length > 0 && !rest.IsEmpty)
        {
            ref var first = ref rest[0];
            ulong take = Math.Min(length, (ulong)first.Length);
            scratch[count++] = new IoVector(first.Base, (nuint)take);
            length -= take;
            if (take == first.Length)
            {
                rest = rest[1..];
            }
            else
            {
                first.Base += take;
                first.Length -= (nuint)take;
            }
        }

        return count;
    }
}
