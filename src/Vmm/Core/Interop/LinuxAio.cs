using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>struct iocb (linux/aio_abi.h, x86-64 little-endian): one asynchronous read or write.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct AioControlBlock
{
    public const int Size = 64;

    public const ushort OpPReadV = 7; // IOCB_CMD_PREADV
    public const ushort OpPWriteV = 8; // IOCB_CMD_PWRITEV
    public const uint FlagResFd = 1; // IOCB_FLAG_RESFD: signal AioResFd (an eventfd) on completion

    public ulong Data; // aio_data: handed back in the completion event
    public uint Key; // aio_key: set by the kernel
    public int RwFlags; // aio_rw_flags (RWF_*)
    public ushort Opcode; // aio_lio_opcode
    public short RequestPriority; // aio_reqprio
    public uint FileDescriptor; // aio_fildes
    public ulong Buffer; // aio_buf: for PREADV/PWRITEV the iovec array
    public ulong Bytes; // aio_nbytes: for PREADV/PWRITEV the iovec count
    public long Offset; // aio_offset
    public ulong Reserved2;
    public uint Flags; // aio_flags
    public uint ResFd; // aio_resfd
}

/// <summary>struct io_event: one finished request (its aio_data, the iocb, the result: a byte count or -errno).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct AioEvent
{
    public const int Size = 32;

    public ulong Data;
    public ulong ControlBlock;
    public long Result;
    public long Result2;
}

/// <summary>
/// Linux native AIO (io_setup, io_submit, io_getevents, io_destroy; glibc has no wrappers, so through syscall(2)):
/// truly asynchronous reads and writes on files opened with O_DIRECT, completions signalled on an eventfd. Every call
/// returns a count or -errno, never throws.
/// </summary>
internal static unsafe partial class LinuxAio
{
    private const long SysIoSetup = 206;
    private const long SysIoDestroy = 207;
    private const long SysIoGetEvents = 208;
    private const long SysIoSubmit = 209;

    /// <summary>io_setup(2): a context for up to <paramref name="events"/> requests in flight; 0 or -errno.</summary>
    public static int Setup(int events, out ulong context)
    {
        ulong created = 0;
        // SAFETY: created lives on this frame; the kernel writes the context id into it (it must start at 0).
        long result = SyscallSetup(SysIoSetup, (uint)events, &created);
        context = created;
        return result == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    /// <summary>io_destroy(2): cancels what it can and waits for every request in flight to finish; 0 or -errno.</summary>
    public static int Destroy(ulong context)
    {
        return SyscallDestroy(SysIoDestroy, context) == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    /// <summary>io_submit(2): the number of requests the kernel took (the first ones), or -errno when it took none.</summary>
    public static long Submit(ulong context, AioControlBlock** blocks, int count)
    {
        // SAFETY: the caller guarantees blocks holds count pointers to control blocks that stay valid until completion.
        long n = SyscallSubmit(SysIoSubmit, context, count, blocks);
        return n >= 0 ? n : -Marshal.GetLastPInvokeError();
    }

    /// <summary>io_getevents(2) without waiting: up to <paramref name="count"/> finished requests, or -errno.</summary>
    public static long Poll(ulong context, AioEvent* events, int count)
    {
        var zero = default(TimeSpec);
        // SAFETY: the caller guarantees events holds count entries; zero lives on this frame.
        long n = SyscallGetEvents(SysIoGetEvents, context, 0, count, events, &zero);
        return n >= 0 ? n : -Marshal.GetLastPInvokeError();
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallSetup(long number, uint events, ulong* context);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallDestroy(long number, ulong context);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallSubmit(long number, ulong context, long count, AioControlBlock** blocks);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallGetEvents(long number, ulong context, long minimum, long count, AioEvent* events, TimeSpec* timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
