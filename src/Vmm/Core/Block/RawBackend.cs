using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Block;

/// <summary>A raw image: the file (or block device) is the disk, byte for byte.</summary>
internal sealed class RawBackend : IBlockBackend, IDirectBlockBackend
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private static readonly byte[] s_zeroes = new byte[256 * 1024];

    private readonly ImageFile _file;
    private readonly bool _ignoreFlush;
    private ulong _size;

    public RawBackend(ImageFile file, bool readOnly, bool discardUnmap, bool ignoreFlush)
    {
        _file = file;
        ReadOnly = readOnly;
        SupportsDiscard = discardUnmap;
        _ignoreFlush = ignoreFlush;
        long length = file.Length();
        if (length < 0)
        {
            throw new BlockException($"Cannot get the size of {file.Path}");
        }

        // The disk is whole sectors; a tail that is not is not part of it.
        _size = (ulong)length & ~511UL;
    }

    public ulong Size => Volatile.Read(ref _size);

    /// <summary>The image file (for reports: its path and whether it is a block device).</summary>
    internal ImageFile File => _file;

    public bool ReadOnly { get; }

    public bool SupportsDiscard { get; }

    public BlockStatus Read(ulong offset, Span<byte> destination)
    {
        if (!InRange(offset, (ulong)destination.Length))
        {
            return BlockStatus.OutOfRange;
        }

        return Status(_file.Read(offset, destination), "read", offset);
    }

    public BlockStatus Write(ulong offset, ReadOnlySpan<byte> source)
    {
        if (ReadOnly)
        {
            return BlockStatus.Unsupported;
        }

        if (!InRange(offset, (ulong)source.Length))
        {
            return BlockStatus.OutOfRange;
        }

        return Status(_file.Write(offset, source), "write", offset);
    }

    public BlockStatus ReadVectored(ulong offset, Span<IoVector> vectors)
    {
        ulong length = TotalLength(vectors);
        return InRange(offset, length) ? Status(_file.ReadVectored(offset, vectors), "read", offset) : BlockStatus.OutOfRange;
    }

    public BlockStatus WriteVectored(ulong offset, Span<IoVector> vectors)
    {
        if (ReadOnly)
        {
            return BlockStatus.Unsupported;
        }

        ulong length = TotalLength(vectors);
        return InRange(offset, length) ? Status(_file.WriteVectored(offset, vectors), "write", offset) : BlockStatus.OutOfRange;
    }

    public int TryMapDirect(ulong offset, ulong length, bool write, Span<DirectExtent> extents, out ImageFile file)
    {
        file = _file;
        if (!_file.Direct || (write && ReadOnly) || extents.IsEmpty || !InRange(offset, length))
        {
            return 0;
        }

        extents[0] = new DirectExtent(offset, length);
        return 1;
    }

    public BlockStatus Flush() => _ignoreFlush || ReadOnly ? BlockStatus.Ok : Status(_file.Sync(), "flush", 0);

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

        if (!SupportsDiscard || length == 0)
        {
            return BlockStatus.Ok;
        }

        int result = _file.PunchHole(offset, length);
        // A file system or device that cannot punch holes just keeps the data: discard is advisory.
        return result == -FileIo.EOpNotSupp ? BlockStatus.Ok : Status(result, "discard", offset);
    }

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

        if (length == 0)
        {
            return BlockStatus.Ok;
        }

        if (!_file.Status.IsBlockDevice)
        {
            int result = mayUnmap && SupportsDiscard ? _file.PunchHole(offset, length) : _file.ZeroRange(offset, length);
            if (result == 0)
            {
                return BlockStatus.Ok;
            }

            if (result != -FileIo.EOpNotSupp && result != -FileIo.EInval)
            {
                return Status(result, "write zeroes", offset);
            }
        }

        return Status(WriteZeroesByWriting(_file, offset, length), "write zeroes", offset);
    }

    public BlockStatus Resize(ulong newSize)
    {
        if (ReadOnly || _file.Status.IsBlockDevice)
        {
            return BlockStatus.Unsupported;
        }

        if (newSize % 512 != 0 || newSize > long.MaxValue)
        {
            return BlockStatus.OutOfRange;
        }

        BlockStatus status = Status(_file.Truncate(newSize), "resize", newSize);
        if (status == BlockStatus.Ok)
        {
            Volatile.Write(ref _size, newSize);
        }

        return status;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Writes zeroes over a range in pieces of a shared zero buffer.</summary>
    internal static int WriteZeroesByWriting(ImageFile file, ulong offset, ulong length)
    {
        while (length > 0)
        {
            int take = (int)Math.Min(length, (ulong)s_zeroes.Length);
            int result = file.Write(offset, s_zeroes.AsSpan(0, take));
            if (result != 0)
            {
                return result;
            }

            offset += (ulong)take;
            length -= (ulong)take;
        }

        return 0;
    }

    private static ulong TotalLength(Span<IoVector> vectors)
    {
        ulong length = 0;
        foreach (var vector in vectors)
        {
            length += vector.Length; // a chain has at most 32768 segments of 32-bit lengths: no overflow
        }

        return length;
    }

    private bool InRange(ulong offset, ulong length)
    {
        ulong size = Size;
        return offset <= size && length <= size - offset;
    }

    private BlockStatus Status(int result, string operation, ulong offset)
    {
        if (result == 0)
        {
            return BlockStatus.Ok;
        }

        s_log.Warn("Raw image {Path}: {Operation} at {Offset} failed: {Error}", _file.Path, operation, offset, Libc.ErrorText(-result));
        return BlockStatus.IoError;
    }
}
