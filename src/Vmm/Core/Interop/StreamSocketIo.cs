using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Interop;

/// <summary>
/// A connected pair of Unix stream sockets (socketpair(2)) and the calls a user-mode network helper needs on its end:
/// non-blocking recv and send without SIGPIPE, replacing a descriptor in place (dup3), and letting one descriptor
/// through exec (F_SETFD). Each returns a count, 0 or a negative errno; nothing throws.
/// </summary>
internal static unsafe partial class StreamSocketIo
{
    public const short PollOut = 0x004; // POLLOUT
    public const int EConnReset = 104;
    public const int EPipe = 32;

    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloExec = 0x80000;
    private const int MsgDontWait = 0x40; // MSG_DONTWAIT
    private const int MsgNoSignal = 0x4000; // MSG_NOSIGNAL
    private const int FSetFd = 2; // F_SETFD
    private const int OCloExec = 0x80000;

    /// <summary>
    /// A connected pair, both ends close-on-exec: <paramref name="ours"/> as a handle, <paramref name="theirs"/> as a
    /// raw descriptor for a child (see <see cref="KeepOnExec"/>), which the caller closes once the child has it.
    /// </summary>
    public static int Pair(out SafeFileHandle? ours, out int theirs)
    {
        int* fds = stackalloc int[2];
        ours = null;
        theirs = -1;
        if (NativeSocketPair(AfUnix, SockStream | SockCloExec, 0, fds) != 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        ours = new SafeFileHandle(fds[0], ownsHandle: true);
        theirs = fds[1];
        return 0;
    }

    /// <summary>Clears close-on-exec on <paramref name="fd"/>, so that the next child started inherits it.</summary>
    public static int KeepOnExec(int fd) => NativeFcntl(fd, FSetFd, 0) < 0 ? -Marshal.GetLastPInvokeError() : 0;

    /// <summary>Makes <paramref name="target"/>'s descriptor refer to <paramref name="source"/>'s socket (dup3, close-on-exec).</summary>
    public static int ReplaceWith(SafeHandle target, int source)
    {
        bool added = false;
        try
        {
            int fd = AddRef(target, ref added);
            return fd < 0 ? fd : NativeDup3(source, fd, OCloExec) < 0 ? -Marshal.GetLastPInvokeError() : 0;
        }
        finally
        {
            Release(target, added);
        }
    }

    /// <summary>recv(2) without waiting: the byte count, 0 at the end of the stream, -EAGAIN when nothing is queued, or a negative errno.</summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer)
    {
        bool added = false;
        try
        {
            int fd = AddRef(socket, ref added);
            if (fd < 0)
            {
                return fd;
            }

            // SAFETY: the span is pinned for the call; recv writes at most its length into it.
            fixed (byte* bytes = buffer)
            {
                return Result(NativeRecv(fd, bytes, (nuint)buffer.Length, MsgDontWait));
            }
        }
        finally
        {
            Release(socket, added);
        }
    }

    /// <summary>send(2) without waiting or SIGPIPE: the byte count (possibly fewer), -EAGAIN when the socket is full, or a negative errno.</summary>
    public static int Send(SafeHandle socket, ReadOnlySpan<byte> buffer)
    {
        bool added = false;
        try
        {
            int fd = AddRef(socket, ref added);
            if (fd < 0)
            {
                return fd;
            }

            // SAFETY: the span is pinned for the call; send reads at most its length from it.
            fixed (byte* bytes = buffer)
            {
                return Result(NativeSend(fd, bytes, (nuint)buffer.Length, MsgDontWait | MsgNoSignal));
            }
        }
        finally
        {
            Release(socket, added);
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for room to send: true when there is.</summary>
    public static bool WaitWritable(SafeHandle socket, int timeoutMilliseconds)
    {
        bool added = false;
        try
        {
            int fd = AddRef(socket, ref added);
            Span<PollFd> fds = [new PollFd { Fd = fd, Events = PollOut }];
            return fd >= 0 && NetIo.Poll(fds, timeoutMilliseconds) > 0 && (fds[0].ReturnedEvents & PollOut) != 0;
        }
        finally
        {
            Release(socket, added);
        }
    }

    private static int Result(nint result) => result >= 0 ? (int)result : -Marshal.GetLastPInvokeError();

    /// <summary>The handle's descriptor, held against closing until <see cref="Release"/>; -EBADF once it is closed.</summary>
    private static int AddRef(SafeHandle handle, ref bool added)
    {
        try
        {
            handle.DangerousAddRef(ref added);
            return (int)handle.DangerousGetHandle();
        }
        catch (ObjectDisposedException)
        {
            return -NetIo.EBadF;
        }
    }

    private static void Release(SafeHandle handle, bool added)
    {
        if (added)
        {
            handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static partial int NativeSocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int NativeFcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    private static partial int NativeDup3(int oldFd, int newFd, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint NativeRecv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint NativeSend(int fd, byte* buffer, nuint length, int flags);
}
