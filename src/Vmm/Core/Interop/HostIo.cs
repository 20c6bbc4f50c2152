using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>
/// poll(2), non-blocking write(2)/send(2) and a Unix socket's bind(2), for the serial console's host end: the writer
/// can tell "the reader has no room now" (EAGAIN, back-pressure) from "nobody is there" (POLLHUP, EPIPE).
/// </summary>
internal static unsafe partial class HostIo
{
    public const short PollOut = 0x004;
    public const short PollErr = 0x008;
    public const short PollHup = 0x010;

    public const int EIo = 5;
    public const int ENameTooLong = 36;

    private const ushort AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloExec = 0x80000;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for <paramref name="events"/> on the descriptor; returns the
    /// events that happened (0 on timeout, or on EINTR), or -1 with <paramref name="errno"/>.
    /// </summary>
    public static int Poll(SafeHandle handle, short events, int timeoutMilliseconds, out int errno)
    {
        errno = 0;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var entry = new PollFd { Fd = (int)handle.DangerousGetHandle(), Events = events };
            // SAFETY: entry lives on this frame for the whole call; poll reads and writes only this one pollfd.
            int result = NativePoll(&entry, 1, timeoutMilliseconds);
            if (result < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return errno == Libc.EIntr ? 0 : -1;
            }

            return result == 0 ? 0 : (ushort)entry.ReturnedEvents;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>write(2) on a descriptor opened non-blocking: the count written, or -1 with <paramref name="errno"/>.</summary>
    public static long Write(SafeHandle handle, ReadOnlySpan<byte> data, out int errno) => Transfer(handle, data, send: false, out errno);

    /// <summary>send(2) with MSG_DONTWAIT | MSG_NOSIGNAL on a socket: the count sent, or -1 with <paramref name="errno"/>.</summary>
    public static long Send(SafeHandle handle, ReadOnlySpan<byte> data, out int errno) => Transfer(handle, data, send: true, out errno);

    /// <summary>
    /// A new Unix stream socket bound to <paramref name="path"/>, as a descriptor for the runtime's Socket to own; or
    /// -1 with <paramref name="errno"/>. Bound here because the runtime's Socket.Bind reports ENOENT, EACCES and EROFS
    /// all as "Cannot assign requested address", and a message should say which.
    /// </summary>
    public static int BoundUnixSocket(string path, out int errno)
    {
        int fd = NativeSocket(AfUnix, SockStream | SockCloExec, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }

        if (BindUnix(fd, path, out errno) != 0)
        {
            Libc.Close(fd);
            return -1;
        }

        return fd;
    }

    private static int BindUnix(int fd, string path, out int errno)
    {
        errno = 0;
        const int SunPathOffset = 2;
        const int AddressSize = SunPathOffset + 108; // struct sockaddr_un
        int length = System.Text.Encoding.UTF8.GetByteCount(path);
        if (length is 0 or >= AddressSize - SunPathOffset)
        {
            errno = ENameTooLong;
            return -1;
        }

        // SAFETY: address is AddressSize bytes of this frame's stack; the path is written within it, NUL-terminated by
        // the clear, and bind reads only the length it is given.
        byte* address = stackalloc byte[AddressSize];
        new Span<byte>(address, AddressSize).Clear();
        *(ushort*)address = AfUnix;
        System.Text.Encoding.UTF8.GetBytes(path, new Span<byte>(address + SunPathOffset, AddressSize - SunPathOffset));
        int result = NativeBind(fd, address, (uint)(SunPathOffset + length + 1));
        if (result != 0)
        {
            errno = Marshal.GetLastPInvokeError();
        }

        return result;
    }

    private static long Transfer(SafeHandle handle, ReadOnlySpan<byte> data, bool send, out int errno)
    {
        errno = 0;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            nint result;
            fixed (byte* bytes = data)
            {
                // SAFETY: bytes is pinned for the call and the kernel reads at most data.Length bytes from it.
                result = send ? NativeSend(fd, bytes, (nuint)data.Length, MsgDontWait | MsgNoSignal) : NativeWrite(fd, bytes, (nuint)data.Length);
            }

            if (result < 0)
            {
                errno = Marshal.GetLastPInvokeError();
            }

            return result;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int NativePoll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(int fd, byte* data, nuint count);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int NativeSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int NativeBind(int fd, byte* address, uint length);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint NativeSend(int fd, byte* data, nuint count, int flags);
}
