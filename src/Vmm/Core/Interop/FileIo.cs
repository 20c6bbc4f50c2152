using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>
/// The file calls behind the disk image backends: open, pread/pwrite, fdatasync, fallocate, ftruncate, fstat, the
/// block device size ioctl and OFD byte-range locks. Every call returns 0 (or a count) or -errno, never throws.
/// </summary>
internal static unsafe partial class FileIo
{
    public const int ORdOnly = 0x0;
    public const int ORdWr = 0x2;
    public const int ONonBlock = 0x800; // no effect on regular files; keeps a FIFO named by a hostile image from blocking open
    public const int ODirect = 0x4000; // x86-64 O_DIRECT
    public const int OCloExec = 0x80000;

    public const int EIntr = 4;
    public const int EIo = 5;
    public const int EAgain = 11;
    public const int EInval = 22;
    public const int EOpNotSupp = 95;

    public const int FallocKeepSize = 0x01; // FALLOC_FL_KEEP_SIZE
    public const int FallocPunchHole = 0x02; // FALLOC_FL_PUNCH_HOLE
    public const int FallocZeroRange = 0x10; // FALLOC_FL_ZERO_RANGE

    public const short LockRead = 0; // F_RDLCK
    public const short LockWrite = 1; // F_WRLCK
    public const short LockNone = 2; // F_UNLCK

    private const int FOfdGetLk = 36; // F_OFD_GETLK
    private const int FOfdSetLk = 37; // F_OFD_SETLK
    private const nuint BlkGetSize64 = 0x80081272; // _IOR(0x12, 114, size_t)

    private const int StatSize = 144; // struct stat on x86-64
    private const int StatModeOffset = 24;
    private const int StatSizeOffset = 48;
    private const int StatInodeOffset = 8;
    private const uint TypeMask = 0xf000; // S_IFMT
    private const uint TypeBlock = 0x6000; // S_IFBLK
    private const uint TypeRegular = 0x8000; // S_IFREG

    /// <summary>open(2): the descriptor, or -errno. EINTR is retried.</summary>
    public static int Open(string path, int flags)
    {
        while (true)
        {
            int fd = NativeOpen(path, flags | OCloExec);
            if (fd >= 0)
            {
                return fd;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr)
            {
                return -errno;
            }
        }
    }

    /// <summary>pread(2) once: the count read (0 at EOF), or -errno.</summary>
    public static long PRead(SafeHandle file, byte* buffer, nuint count, long offset)
    {
        // SAFETY: the caller guarantees buffer holds count writable bytes for the call.
        long n = NativePRead(Fd(file), buffer, count, offset);
        return n >= 0 ? n : -Marshal.GetLastPInvokeError();
    }

    /// <summary>pwrite(2) once: the count written, or -errno.</summary>
    public static long PWrite(SafeHandle file, byte* buffer, nuint count, long offset)
    {
        // SAFETY: the caller guarantees buffer holds count readable bytes for the call.
        long n = NativePWrite(Fd(file), buffer, count, offset);
        return n >= 0 ? n : -Marshal.GetLastPInvokeError();
    }

    /// <summary>preadv(2) once over <paramref name="count"/> vectors: the count read (0 at EOF), or -errno.</summary>
    public static long PReadV(SafeHandle file, IoVector* vectors, int count, long offset)
    {
        // SAFETY: the caller guarantees each vector names writable memory of its length for the call.
        long n = NativePReadV(Fd(file), vectors, count, offset);
        return n >= 0 ? n : -Marshal.GetLastPInvokeError();
    }

    /// <summary>pwritev(2) once over <paramref name="count"/> vectors: the count written, or -errno.</summary>
    public static long PWriteV(SafeHandle file, IoVector* vectors, int count, long offset)
    {
        // SAFETY: the caller guarantees each vector names readable memory of its length for the call.
        long n = NativePWriteV(Fd(file), vectors, count, offset);
        return n >= 0 ? n : -Marshal.GetLastPInvokeError();
    }

    public static int FDataSync(SafeHandle file) => Result(NativeFDataSync(Fd(file)));

    public static int FAllocate(SafeHandle file, int mode, long offset, long length) => Result(NativeFAllocate(Fd(file), mode, offset, length));

    public static int FTruncate(SafeHandle file, long length) => Result(NativeFTruncate(Fd(file), length));

    /// <summary>fstat(2): the size, inode and device of the file, and whether it is a block device or a regular file.</summary>
    public static int FStat(SafeHandle file, out FileStatus status)
    {
        status = default;
        // SAFETY: buffer is StatSize bytes of this frame's stack, the size of struct stat; fstat writes only within it.
        byte* buffer = stackalloc byte[StatSize];
        if (NativeFStat(Fd(file), buffer) != 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        uint mode = *(uint*)(buffer + StatModeOffset) & TypeMask;
        status = new FileStatus(*(long*)(buffer + StatSizeOffset), *(ulong*)buffer, *(ulong*)(buffer + StatInodeOffset), mode == TypeBlock, mode == TypeRegular);
        return 0;
    }

    /// <summary>BLKGETSIZE64: a block device's size in bytes.</summary>
    public static int BlockDeviceSize(SafeHandle file, out ulong size)
    {
        ulong value = 0;
        // SAFETY: value lives on this frame; the ioctl writes one u64 into it.
        int result = Libc.Ioctl(Fd(file), BlkGetSize64, &value);
        size = value;
        return result == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    /// <summary>F_OFD_SETLK: takes (or with <see cref="LockNone"/> drops) a lock on one byte, without waiting.</summary>
    public static int SetLock(SafeHandle file, short type, long offset)
    {
        var request = new FileLockRequest { Type = type, Whence = 0, Start = offset, Length = 1 };
        // SAFETY: request lives on this frame; fcntl reads the struct flock it points at.
        return Result(NativeFcntl(Fd(file), FOfdSetLk, &request));
    }

    /// <summary>F_OFD_GETLK: the type of a lock another open file holds on the byte that conflicts with <paramref name="type"/>, or <see cref="LockNone"/>.</summary>
    public static int TestLock(SafeHandle file, short type, long offset, out short conflicting)
    {
        var request = new FileLockRequest { Type = type, Whence = 0, Start = offset, Length = 1 };
        // SAFETY: request lives on this frame; fcntl reads and rewrites the struct flock it points at.
        int result = Result(NativeFcntl(Fd(file), FOfdGetLk, &request));
        conflicting = result == 0 ? request.Type : LockNone;
        return result;
    }

    private static int Result(int value) => value == 0 ? 0 : -Marshal.GetLastPInvokeError();

    private static int Fd(SafeHandle file) => (int)file.DangerousGetHandle();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint NativePRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint NativePWrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "preadv", SetLastError = true)]
    private static partial nint NativePReadV(int fd, IoVector* vectors, int count, long offset);

    [LibraryImport("libc", EntryPoint = "pwritev", SetLastError = true)]
    private static partial nint NativePWriteV(int fd, IoVector* vectors, int count, long offset);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int NativeFDataSync(int fd);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int NativeFAllocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int NativeFTruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int NativeFStat(int fd, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int NativeFcntl(int fd, int command, FileLockRequest* request);
}
