using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Block;

/// <summary>
/// A disk image as a virtual block device: a byte-addressed, fixed-size disk. The virtio-blk device calls it from its
/// own threads (never from a vCPU thread), possibly from several queues at once, so implementations are safe for
/// concurrent calls. Buffers may be spans over guest memory, of any alignment and of any length that is a multiple of
/// 512; offsets are multiples of 512. Nothing here throws on what the guest asked for: a request the disk cannot serve
/// returns a status (and the backend logs the details, rate-limited).
/// </summary>
public interface IBlockBackend : IDisposable
{
    /// <summary>The virtual disk's size in bytes (a multiple of 512).</summary>
    ulong Size { get; }

    /// <summary>True when writes, discards and zeroing are refused (<c>&lt;readonly/&gt;</c>, or a read-only open).</summary>
    bool ReadOnly { get; }

    /// <summary>True when <see cref="Discard"/> can free space (the image was opened with discard='unmap').</summary>
    bool SupportsDiscard { get; }

    /// <summary>Reads destination.Length bytes at <paramref name="offset"/>; parts never written read as zeroes.</summary>
    BlockStatus Read(ulong offset, Span<byte> destination);

    BlockStatus Write(ulong offset, ReadOnlySpan<byte> source);

    /// <summary>
    /// Reads the bytes at <paramref name="offset"/> into several buffers in order (a request's guest segments), in as
    /// few host calls as the image allows; each buffer is a multiple of 512 bytes. The vectors may be consumed.
    /// </summary>
    unsafe BlockStatus ReadVectored(ulong offset, Span<IoVector> vectors)
    {
        foreach (var vector in vectors)
        {
            var status = Read(offset, new Span<byte>(vector.Base, checked((int)vector.Length)));
            if (status != BlockStatus.Ok)
            {
                return status;
            }

            offset += vector.Length;
        }

        return BlockStatus.Ok;
    }

    /// <summary>Writes several buffers in order at <paramref name="offset"/>, as <see cref="ReadVectored"/> reads.</summary>
    unsafe BlockStatus WriteVectored(ulong offset, Span<IoVector> vectors)
    {
        foreach (var vector in vectors)
        {
            var status = Write(offset, new ReadOnlySpan<byte>(vector.Base, checked((int)vector.Length)));
            if (status != BlockStatus.Ok)
            {
                return status;
            }

            offset += vector.Length;
        }

        return BlockStatus.Ok;
    }

    /// <summary>Makes every completed write durable (fdatasync of the image files; a no-op for cache='unsafe').</summary>
    BlockStatus Flush();

    /// <summary>Tells the image the range is unused: it may free the space; the range then reads as zeroes.</summary>
    BlockStatus Discard(ulong offset, ulong length);

    /// <summary>Makes the range read as zeroes; with <paramref name="mayUnmap"/> it may free the space too.</summary>
    BlockStatus WriteZeroes(ulong offset, ulong length, bool mayUnmap);

    /// <summary>Grows (or shrinks) the virtual disk to <paramref name="newSize"/> bytes (QMP block_resize).</summary>
    BlockStatus Resize(ulong newSize);
}
