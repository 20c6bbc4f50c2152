using System.Runtime.InteropServices;
using Kvm.Driver.Interop;

namespace Kvm.Driver.Storage;

/// <summary>
/// kvmd's own directories (state, runtime): created mode 0700, and an existing one used only when kvmd's user owns it
/// and neither its group nor others may write to it.
/// </summary>
/// <remarks>
/// libvirt creates its per-driver state directories owner-only; what a daemon running as root loads from a directory
/// anyone can write to is anyone's. An unsafe existing directory is refused, not repaired: while it was writable,
/// files may have been planted, replaced or removed, and only its operator can tell, so kvmd names the directory,
/// the problem and the fix, and does not start. Group or other read and search bits are left as they are.
/// </remarks>
public static class PrivateDirectory
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const uint GroupOrOtherWrite = 0x12; // S_IWGRP | S_IWOTH

    /// <summary>Creates <paramref name="path"/> (and missing parents) mode 0700, or checks the existing directory.</summary>
    /// <param name="role">What the directory is, for the message ("state", "runtime").</param>
    /// <exception cref="UnsafeDirectoryException">The directory is not kvmd's own.</exception>
    public static void Ensure(string path, string role)
    {
        path = Path.GetFullPath(path);
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, Mode);
        }

        Check(path, role);
    }

    /// <summary>Refuses a directory not owned by kvmd's user or writable by its group or others.</summary>
    public static void Check(string path, string role)
    {
        if (LibC.Stat(path, out StatBuf st) != 0)
        {
            throw new IOException($"Cannot examine the {role} directory {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        if ((st.Mode & LibC.SIfMt) != LibC.SIfDir)
        {
            throw new UnsafeDirectoryException(path, $"The {role} directory {path} is not a directory");
        }

        uint self = LibC.Geteuid();
        if (st.Uid != self)
        {
            throw new UnsafeDirectoryException(path,
                $"The {role} directory {path} is owned by uid {st.Uid}, not by kvmd's user (uid {self}): change its owner or use another directory");
        }

        if ((st.Mode & GroupOrOtherWrite) != 0)
        {
            throw new UnsafeDirectoryException(path,
                $"The {role} directory {path} has mode {Convert.ToString((int)(st.Mode & 0xFFF), 8).PadLeft(4, '0')}, writable by its group or others: make it 0700 (chmod 0700 '{path}') after checking its files");
        }
    }
}
