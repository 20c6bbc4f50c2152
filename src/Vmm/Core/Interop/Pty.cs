using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>Pseudo-terminals for serial consoles (QEMU's -serial pty): a non-blocking master and its slave's path.</summary>
internal static partial class Pty
{
    private const int ORdWr = 2;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int FSetFl = 4;

    /// <summary>Opens a new master; returns its descriptor and the slave's path, or -1 and the errno.</summary>
    public static int OpenMaster(out string slavePath, out int errno)
    {
        slavePath = string.Empty;
        errno = 0;
        int fd = PosixOpenPt(ORdWr | ONoCtty);
        if (fd < 0 || GrantPt(fd) != 0 || UnlockPt(fd) != 0 || Fcntl(fd, FSetFl, ORdWr | ONonBlock) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            if (fd >= 0)
            {
                Libc.Close(fd);
            }

            return -1;
        }

        slavePath = Marshal.PtrToStringUTF8(PtsName(fd)) ?? string.Empty;
        if (!MakeRaw(slavePath, out errno))
        {
            Libc.Close(fd);
            return -1;
        }

        return fd;
    }

    /// <summary>
    /// Puts the terminal in raw mode, as QEMU does for its ptys: no echo (a reader that leaves the default echo on
    /// would send the guest's output back to it as typed input, and the guest's own echo closes the loop), no line
    /// editing, no CR/NL translation. The setting stays with the pty while the master is open.
    /// </summary>
    private static unsafe bool MakeRaw(string slavePath, out int errno)
    {
        errno = 0;
        int slave = Libc.Open(slavePath, ORdWr | ONoCtty);
        if (slave < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }

        // struct termios is 60 bytes on x86_64 glibc; cfmakeraw edits it in place, so its layout stays libc's business.
        // SAFETY: termios points to 128 bytes of this frame's stack, more than the structure; libc writes only within it.
        byte* termios = stackalloc byte[128];
        bool ok = TcGetAttr(slave, termios) == 0;
        if (ok)
        {
            CfMakeRaw(termios);
            ok = TcSetAttr(slave, TcsaNow, termios) == 0;
        }

        if (!ok)
        {
            errno = Marshal.GetLastPInvokeError();
        }

        Libc.Close(slave);
        return ok;
    }

    private const int TcsaNow = 0;

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static unsafe partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static unsafe partial int TcSetAttr(int fd, int optionalActions, byte* termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static unsafe partial void CfMakeRaw(byte* termios);

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenPt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int GrantPt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int UnlockPt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname")]
    private static partial nint PtsName(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
