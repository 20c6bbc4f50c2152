using System.Runtime.InteropServices;

namespace Kvm.Driver.Interop;

/// <summary>Non-blocking descriptor I/O for what .NET cannot wait on (a console's pty): open, read, write and poll.</summary>
internal static partial class LibC
{
    public const int ORdWr = 2;               // O_RDWR
    public const int ONoCtty = 0x100;         // O_NOCTTY: a pty opened by kvmd never becomes its controlling terminal
    public const int ONonBlock = 0x800;       // O_NONBLOCK
    public const short PollIn = 0x1;          // POLLIN
    public const short PollOut = 0x4;         // POLLOUT
    public const short PollErr = 0x8;         // POLLERR
    public const short PollHup = 0x10;        // POLLHUP
    public const int EIntr = 4;               // EINTR
    public const int EAgain = 11;             // EAGAIN (EWOULDBLOCK)

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
