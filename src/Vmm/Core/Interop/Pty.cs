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
        return fd;
    }

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
