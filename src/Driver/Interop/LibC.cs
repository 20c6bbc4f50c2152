using System.Runtime.InteropServices;

namespace Kvm.Driver.Interop;

/// <summary>The few libc calls .NET does not offer: fsync of a directory, signals to a process by id, a file's group and allocation, the clock tick.</summary>
internal static partial class LibC
{
    public const int ORdOnly = 0;             // O_RDONLY
    public const int ODirectory = 0x10000;    // O_DIRECTORY (x86-64, arm64)
    public const int OCloexec = 0x80000;      // O_CLOEXEC
    public const int SigKill = 9;             // SIGKILL
    public const int SigTerm = 15;            // SIGTERM
    public const int ESrch = 3;               // ESRCH
    public const int ScClkTck = 2;            // _SC_CLK_TCK

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>chown(2); -1 leaves the owner or group as it is.</summary>
    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>stat(2) (glibc 2.33+ exports it as a function).</summary>
    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Stat(string path, out StatBuf buf);

    /// <summary>lstat(2): the link itself, not what it points to (glibc 2.33+ exports it as a function).</summary>
    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Lstat(string path, out StatBuf buf);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    public const uint SIfMt = 0xF000;         // S_IFMT
    public const uint SIfDir = 0x4000;        // S_IFDIR
    public const uint SIfReg = 0x8000;        // S_IFREG

    /// <summary>sysconf(3): _SC_CLK_TCK is the unit of /proc/stat's CPU times.</summary>
    [LibraryImport("libc", EntryPoint = "sysconf", SetLastError = true)]
    public static partial long Sysconf(int name);
}
