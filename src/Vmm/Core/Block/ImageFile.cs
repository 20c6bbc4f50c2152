using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Block;

/// <summary>
/// One host file of an image chain, read and written at byte offsets. Reads past the end of the file give zeroes.
/// With O_DIRECT, requests whose buffer, offset or length are not <see cref="Alignment"/>-aligned go through a
/// per-thread aligned bounce buffer (bounded at <see cref="BounceSize"/>); partial blocks are read, patched and
/// written back under one lock, so two such writes into one block cannot lose each other. Methods return 0 or -errno.
/// </summary>
internal sealed unsafe class ImageFile : IDisposable
{
    public const int Alignment = 4096;
    public const int BounceSize = 1 << 20;

    [ThreadStatic]
    private static BounceBuffer? t_bounce;

    private readonly SafeFileHandle _handle;
    private readonly Lock _patchGate = new();

    private ImageFile(SafeFileHandle handle, string path, bool writable, bool direct, FileStatus status)
    {
        _handle = handle;
        Path = path;
        Writable = writable;
        Direct = direct;
        Status = status;
    }

    public string Path { get; }

    public bool Writable { get; }

    public bool Direct { get; }

    /// <summary>fstat at open: the identity (device, inode) and type of the file.</summary>
    public FileStatus Status { get; }

    public SafeFileHandle Handle => _handle;

    /// <summary>Opens the file; 0 and the file, or -errno.</summary>
    public static int Open(string path, bool writable, bool direct, out ImageFile? file)
    {
        file = null;
        int fd = FileIo.Open(path, (writable ? FileIo.ORdWr : FileIo.ORdOnly) | FileIo.ONonBlock | (direct ? FileIo.ODirect : 0));
        if (fd < 0)
        {
            return fd;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        int result = FileIo.FStat(handle, out var status);
        if (result != 0)
        {
            handle.Dispose();
            return result;
        }

        file = new ImageFile(handle, path, writable, direct, status);
        return 0;
    }

    /// <summary>The current length: the file size, or a block device's size.</summary>
    public long Length()
    {
        if (Status.IsBlockDevice)
        {
            return FileIo.BlockDeviceSize(_handle, out ulong size) == 0 ? (long)size : -1;
        }

        return FileIo.FStat(_handle, out var status) == 0 ? status.Size : -1;
    }

    public int Read(ulong offset, Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (offset > long.MaxValue - (ulong)destination.Length)
        {
            return -FileIo.EInval;
        }

        fixed (byte* pointer = destination)
        {
            if (!Direct || IsAligned((ulong)pointer, offset, (ulong)destination.Length))
            {
                return ReadFully(pointer, destination.Length, (long)offset);
            }
        }

        return ReadBounced(offset, destination);
    }

    public int Write(ulong offset, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            return 0;
        }

        if (offset > long.MaxValue - (ulong)source.Length)
        {
            return -FileIo.EInval;
        }

        fixed (byte* pointer = source)
        {
            if (!Direct || IsAligned((ulong)pointer, offset, (ulong)source.Length))
            {
                return WriteFully(pointer, source.Length, (long)offset);
            }
        }

        return WriteBounced(offset, source);
    }

    /// <summary>
    /// Reads the bytes at <paramref name="offset"/> into the vectors, in order, with as few preadv calls as the kernel
    /// allows (bytes past the end of the file read as zeroes). With O_DIRECT, vectors that are not all aligned go one
    /// by one through <see cref="Read"/>. The vectors are consumed (advanced) as the reads progress.
    /// </summary>
    public int ReadVectored(ulong offset, Span<IoVector> vectors) => Vectored(offset, vectors, write: false);

    /// <summary>Writes the vectors' bytes at <paramref name="offset"/>, as <see cref="ReadVectored"/> reads them.</summary>
    public int WriteVectored(ulong offset, Span<IoVector> vectors) => Vectored(offset, vectors, write: true);

    public int Sync() => FileIo.FDataSync(_handle);

    public int PunchHole(ulong offset, ulong length) =>
        FileIo.FAllocate(_handle, FileIo.FallocPunchHole | FileIo.FallocKeepSize, (long)offset, (long)length);

    public int ZeroRange(ulong offset, ulong length) =>
        FileIo.FAllocate(_handle, FileIo.FallocZeroRange | FileIo.FallocKeepSize, (long)offset, (long)length);

    public int Truncate(ulong length) => FileIo.FTruncate(_handle, (long)length);

    public void Dispose() => _handle.Dispose();

    private int Vectored(ulong offset, Span<IoVector> vectors, bool write)
    {
        ulong total = 0;
        bool aligned = (offset & (Alignment - 1)) == 0;
        foreach (var vector in vectors)
        {
            total += vector.Length;
            aligned &= IsAligned((ulong)vector.Base, 0, vector.Length);
        }

        if (total > long.MaxValue - offset)
        {
            return -FileIo.EInval;
        }

        if (Direct && !aligned)
        {
            foreach (var vector in vectors)
            {
                int length = checked((int)vector.Length);
                int result = write ? Write(offset, new ReadOnlySpan<byte>(vector.Base, length)) : Read(offset, new Span<byte>(vector.Base, length));
                if (result != 0)
                {
                    return result;
                }

                offset += vector.Length;
            }

            return 0;
        }

        while (!vectors.IsEmpty)
        {
            int count = Math.Min(vectors.Length, IoVector.MaxPerCall);
            ulong asked = 0;
            foreach (var vector in vectors[..count])
            {
                asked += vector.Length;
            }

            long n;
            fixed (IoVector* first = vectors)
            {
                n = write ? FileIo.PWriteV(_handle, first, count, (long)offset) : FileIo.PReadV(_handle, first, count, (long)offset);
            }

            if (n == -FileIo.EIntr)
            {
                continue;
            }

            if (n < 0)
            {
                return (int)n;
            }

            if (n == 0)
            {
                if (write)
                {
                    return -FileIo.EIo;
                }

                // The end of the file: the rest reads as zeroes.
                foreach (var vector in vectors)
                {
                    new Span<byte>(vector.Base, checked((int)vector.Length)).Clear();
                }

                return 0;
            }

            offset += (ulong)n;
            vectors = Advance(vectors, (ulong)n);
            if (!write && Direct && (ulong)n < asked)
            {
                // O_DIRECT reads stop short only at the end of the file; the next offset may not be aligned.
                foreach (var vector in vectors)
                {
                    new Span<byte>(vector.Base, checked((int)vector.Length)).Clear();
                }

                return 0;
            }
        }

        return 0;
    }

    /// <summary>Drops the first <paramref name="done"/> bytes from the vectors (whole ones, then part of the next).</summary>
    private static Span<IoVector> Advance(Span<IoVector> vectors, ulong done)
    {
        while (!vectors.IsEmpty && done >= vectors[0].Length)
        {
            done -= vectors[0].Length;
            vectors = vectors[1..];
        }

        if (!vectors.IsEmpty && done > 0)
        {
            vectors[0].Base += done;
            vectors[0].Length -= (nuint)done;
        }

        return vectors;
    }

    private static bool IsAligned(ulong pointer, ulong offset, ulong length) => ((pointer | offset | length) & (Alignment - 1)) == 0;

    private int ReadFully(byte* buffer, int count, long offset)
    {
        int done = 0;
        while (done < count)
        {
            long n = FileIo.PRead(_handle, buffer + done, (nuint)(count - done), offset + done);
            if (n == -FileIo.EIntr)
            {
                continue;
            }

            if (n < 0)
            {
                return (int)n;
            }

            if (n > 0 && Direct && n < count - done)
            {
                // O_DIRECT reads stop short only at the end of the file; the next offset would be unaligned.
                done += (int)n;
                n = 0;
            }

            if (n == 0)
            {
                // SAFETY: done < count, so the cleared range lies inside the caller's buffer.
                new Span<byte>(buffer + done, count - done).Clear();
                return 0;
            }

            done += (int)n;
        }

        return 0;
    }

    private int WriteFully(byte* buffer, int count, long offset)
    {
        int done = 0;
        while (done < count)
        {
            long n = FileIo.PWrite(_handle, buffer + done, (nuint)(count - done), offset + done);
            if (n == -FileIo.EIntr)
            {
                continue;
            }

            if (n <= 0)
            {
                return n == 0 ? -FileIo.EIo : (int)n;
            }

            done += (int)n;
        }

        return 0;
    }

    private int ReadBounced(ulong offset, Span<byte> destination)
    {
        var bounce = t_bounce ??= new BounceBuffer();
        while (!destination.IsEmpty)
        {
            ulong start = offset & ~(ulong)(Alignment - 1);
            int head = (int)(offset - start);
            int take = Math.Min(destination.Length, BounceSize - head);
            int window = AlignUp(head + take);
            int result = ReadFully(bounce.Pointer, window, (long)start);
            if (result != 0)
            {
                return result;
            }

            new ReadOnlySpan<byte>(bounce.Pointer + head, take).CopyTo(destination);
            destination = destination[take..];
            offset += (ulong)take;
        }

        return 0;
    }

    private int WriteBounced(ulong offset, ReadOnlySpan<byte> source)
    {
        var bounce = t_bounce ??= new BounceBuffer();
        while (!source.IsEmpty)
        {
            ulong start = offset & ~(ulong)(Alignment - 1);
            int head = (int)(offset - start);
            int take = Math.Min(source.Length, BounceSize - head);
            int window = AlignUp(head + take);
            int result;
            if (head == 0 && take == window)
            {
                source[..take].CopyTo(new Span<byte>(bounce.Pointer, take));
                result = WriteFully(bounce.Pointer, window, (long)start);
            }
            else
            {
                lock (_patchGate)
                {
                    result = PatchWindow(bounce.Pointer, start, head, window, source[..take]);
                }
            }

            if (result != 0)
            {
                return result;
            }

            source = source[take..];
            offset += (ulong)take;
        }

        return 0;
    }

    private int PatchWindow(byte* bounce, ulong start, int head, int window, ReadOnlySpan<byte> data)
    {
        // Only the first and last blocks are partial; read just those back.
        int result = ReadFully(bounce, Alignment, (long)start);
        if (result == 0 && window > Alignment)
        {
            result = ReadFully(bounce + window - Alignment, Alignment, (long)start + window - Alignment);
        }

        if (result != 0)
        {
            return result;
        }

        data.CopyTo(new Span<byte>(bounce + head, data.Length));
        return WriteFully(bounce, window, (long)start);
    }

    private static int AlignUp(int value) => (value + Alignment - 1) & ~(Alignment - 1);

    /// <summary>A thread's aligned bounce buffer; freed by its finalizer when the thread is gone.</summary>
    private sealed class BounceBuffer
    {
        // SAFETY: an aligned native allocation of BounceSize bytes, owned by this object and freed once in the finalizer.
        public readonly byte* Pointer = (byte*)NativeMemory.AlignedAlloc(BounceSize, Alignment);

        ~BounceBuffer() => NativeMemory.AlignedFree(Pointer);
    }
}
