using System.Buffers;
using System.IO.Compression;

namespace Kvm.Vmm.Block;

/// <summary>Compressed clusters (read only): the descriptor, and raw deflate (zlib compression type 0) into one cluster.</summary>
internal sealed partial class Qcow2Image
{
    /// <summary>A compressed cluster's bytes in the file: x = 62 - (cluster_bits - 8) offset bits, then the extra sector count.</summary>
    private (ulong Start, int Length) CompressedRange(ulong entry)
    {
        int offsetBits = 62 - (_clusterBits - 8);
        ulong start = entry & ((1UL << offsetBits) - 1);
        ulong sectors = (entry >> offsetBits) & ((1UL << (_clusterBits - 8)) - 1);
        return (start, (int)((sectors + 1) * 512 - (start & 511)));
    }

    private BlockStatus Decompress(ulong entry, Span<byte> cluster)
    {
        (ulong start, int length) = CompressedRange(entry);
        if (start < (ulong)_clusterSize)
        {
            return Fail("compressed cluster inside the header", "read", $"0x{entry:x}");
        }

        byte[] compressed = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            BlockStatus status = Check(_file.Read(start, compressed.AsSpan(0, length)), "read compressed cluster");
            if (status != BlockStatus.Ok)
            {
                return status;
            }

            using var stream = new DeflateStream(new MemoryStream(compressed, 0, length), CompressionMode.Decompress);
            int filled = 0;
            while (filled < cluster.Length)
            {
                int n = stream.Read(cluster[filled..]);
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }

            return filled == cluster.Length ? BlockStatus.Ok : Fail("compressed cluster too short", "read", $"0x{entry:x}");
        }
        catch (InvalidDataException e)
        {
            return Fail("compressed cluster does not inflate", "read", e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }
}
